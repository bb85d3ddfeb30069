/** German. */
import type { Messages } from "../en";

const numbers = new Intl.NumberFormat("de");
const num = (value: number) => numbers.format(value);
const plural = new Intl.PluralRules("de");
const one = (value: number) => plural.select(value) === "one";

const de: Messages = {
  appTitle: "Cairnwood-Handbuch-Chat",
  appShortTitle: "Handbuch-Chat",
  skipToContent: "Zum Fragefeld springen",
  nav: {
    label: "Seiten",
    chat: "Chat",
    ask: "Fragen",
  },
  languagePicker: {
    label: "Sprache",
  },
  theme: {
    toDark: "Zum dunklen Design wechseln",
    toLight: "Zum hellen Design wechseln",
  },
  header: {
    settings: "Entwicklereinstellungen",
    history: "Verlauf",
  },
  chat: {
    heading: "Mit dem Handbuch chatten",
    emptyTitle: "Fragen Sie alles zum Handbuch der Cairnwood Outdoor Co.",
    emptyHint:
      "Die Antworten zitieren das Handbuch und nennen ihre Quellen. Probieren Sie eine davon:",
    examples: [
      "Wie viele Wochen Elternzeit stehen mir zu?",
      "Wie hoch ist der Selbstbehalt im Plus-Tarif?",
      "Wie hoch ist das Hotellimit in einer Großstadt?",
    ],
    examplesLabel: "Beispielfragen",
    conversationLabel: "Unterhaltung",
    you: "Sie",
    clear: "Chat leeren",
  },
  ask: {
    heading: "Eine Frage stellen",
    emptyTitle: "Eine Frage, eine Antwort",
    emptyHint: "Jede Frage wird für sich beantwortet, ohne die vorherigen. Probieren Sie:",
  },
  input: {
    label: "Ihre Frage",
    placeholder: "Frage eingeben…",
    send: "Senden",
    stop: "Stoppen",
  },
  speech: {
    listen: "Per Sprache fragen",
    listening:
      "Ich höre zu… sprechen Sie Ihre Frage, oder drücken Sie das Mikrofon erneut, um aufzuhören.",
    micBlocked:
      "Das Mikrofon ist blockiert: Erlauben Sie es für diese Website, um per Sprache zu fragen.",
    noSpeech: "Es war nichts zu hören. Drücken Sie das Mikrofon und versuchen Sie es erneut.",
    inputFailed:
      "Die Spracherkennung ist fehlgeschlagen. Versuchen Sie es erneut oder tippen Sie die Frage.",
    readAloud: "Antwort vorlesen",
    stopReading: "Vorlesen beenden",
    loading: "Audio wird vorbereitet…",
    reading: "Die Antwort wird vorgelesen.",
    outputFailed: "Die Antwort konnte nicht vorgelesen werden.",
  },
  answer: {
    waiting: "Dokumente werden durchsucht…",
    streaming: "Antwort wird geschrieben…",
    done: "Antwort vollständig.",
    stopped: "Gestoppt. Die Antwort oben ist unvollständig.",
    stoppedLabel: "Gestoppt",
    truncated:
      "Abgebrochen: Die Antwort hat die Länge erreicht, die dieser Server erlaubt. Fragen Sie gezielter.",
    citations: "Quellenangaben",
    citationLabel: (n, ref) => `Quellenangabe ${n}: ${ref}`,
    followups: "Anschlussfragen",
    copy: "Antwort kopieren",
    copied: "Kopiert",
    copyFailed: "Kopieren fehlgeschlagen",
    thoughtProcess: "Denkprozess",
    supportingContent: "Belegende Inhalte",
  },
  errors: {
    title: "Etwas ist schiefgelaufen",
    retry: "Erneut versuchen",
    network:
      "Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.",
    status: (status) => `Der Server hat mit einem Fehler geantwortet (HTTP ${status}).`,
    badStream: "Der Server hat eine Antwort gesendet, die diese Seite nicht lesen konnte.",
    connectionLost:
      "Die Verbindung zum Server ist abgebrochen, bevor die Antwort vollständig war (der Server wurde möglicherweise neu gestartet).",
    offline: "Sie sind offline: Die Verbindung ist abgebrochen, bevor die Antwort vollständig war.",
    reference: (id) => `Referenz: ${id}`,
    config:
      "Die Einstellungen des Servers konnten nicht geladen werden; es werden die Standardwerte angezeigt.",
  },
  states: {
    offline:
      "Sie sind offline. Eine Frage, die Sie jetzt stellen, wird gesendet, sobald die Verbindung wieder besteht.",
    backOnline: "Sie sind wieder online.",
    queued: "Warten auf das Netzwerk: Diese Frage wird gesendet, sobald Sie wieder online sind.",
    cancelQueued: "Nicht senden",
    cut: "Die Antwort brach hier ab: Das Angezeigte ist unvollständig.",
  },
  evidence: {
    title: "Belege",
    close: "Belege schließen",
    tabsLabel: "Ansichten der Belege",
    document: "Dokument",
    supporting: "Belegende Inhalte",
    thoughts: "Denkprozess",
    noCitation: "Wählen Sie eine Quellenangabe in der Antwort, um hier ihr Dokument zu sehen.",
    documentFrame: (ref) => `Zitiertes Dokument: ${ref}`,
    openInNewTab: "In neuem Tab öffnen",
    download: "Herunterladen",
    loading: "Dokument wird geöffnet…",
    citedPassage: "Zitierte Stelle",
    passageNotFound:
      "Die zitierte Stelle wurde in diesem Dokument nicht gefunden, daher ist nichts hervorgehoben.",
    failed: "Dieses Dokument konnte nicht geöffnet werden.",
    serverError: (status) =>
      `Dieses Dokument konnte nicht geöffnet werden: Der Server hat mit einem Fehler geantwortet (HTTP ${status}).`,
    cannotShow: "Diese Art von Datei kann hier nicht angezeigt werden.",
    openDirectly: "Datei direkt öffnen",
    retry: "Erneut versuchen",
    notAvailable: "Dieses Dokument ist für Sie nicht verfügbar oder existiert nicht mehr",
    noSupporting: "Für diese Antwort wurden keine belegenden Inhalte abgerufen.",
    noThoughts: "Für diese Antwort wurde kein Denkprozess aufgezeichnet.",
    props: "Details",
  },
  settings: {
    title: "Entwicklereinstellungen",
    close: "Einstellungen schließen",
    reset: "Auf Standardwerte zurücksetzen",
    saved: "Die Einstellungen werden in diesem Browser gespeichert.",
    retrieval: "Suche",
    answer: "Antwort",
    retrievalMode: "Suchmodus",
    modes: {
      hybrid: "Hybrid (Text und Vektoren)",
      text: "Nur Text",
      vectors: "Nur Vektoren",
    },
    serverDefault: "Standard des Servers",
    onlyMode: (mode) =>
      `Suchmodus: ${mode}. Vektor- und Hybridsuche brauchen ein Embedding-Modell auf dem Server.`,
    top: "Anzahl der abzurufenden Quellen",
    semanticRanker: "Semantisches Ranking verwenden",
    semanticCaptions: "Semantische Auszüge statt ganzer Passagen verwenden",
    minimumSearchScore: "Mindestwert der Suche",
    minimumRerankerScore: "Mindestwert des Rerankings",
    includeCategory: "Nur diese Kategorie",
    excludeCategory: "Diese Kategorie ausschließen",
    categoryHint: "Leer lassen für alle Kategorien.",
    temperature: "Temperatur",
    seed: "Seed",
    suggestFollowups: "Anschlussfragen vorschlagen",
    language: "Sprache der Antworten",
    languageDefault: (language) => `Die Sprache der Seite (${language})`,
    promptTemplate: "Prompt-Vorlage",
    promptTemplateHint:
      "Ersetzt den System-Prompt; beginnen Sie mit >>>, um sie stattdessen an den Standard-Prompt anzuhängen.",
    range: (min, max) => `Von ${num(min)} bis ${num(max)}.`,
    atLeast: (min) => `Mindestens ${num(min)}.`,
    optional: "Leer lassen für den Standardwert des Servers.",
  },
  history: {
    title: "Unterhaltungen",
    empty: "Ihre Unterhaltungen werden in diesem Browser gespeichert und hier aufgelistet.",
    emptyServer: "Ihre Unterhaltungen werden auf dem Server gespeichert und hier aufgelistet.",
    loading: "Unterhaltungen werden geladen…",
    loadMore: "Mehr laden",
    listFailed: (message) => `Ihre Unterhaltungen konnten nicht geladen werden: ${message}`,
    remove: (title) => `Unterhaltung löschen: ${title}`,
    rename: (title) => `Unterhaltung umbenennen: ${title}`,
    titleLabel: "Titel der Unterhaltung",
    saveTitle: "Titel speichern",
    cancelRename: "Umbenennen abbrechen",
    titleLength: "Ein Titel hat 1 bis 200 Zeichen.",
    missing: "Diese Unterhaltung gibt es nicht.",
    confirmTitle: "Diese Unterhaltung löschen?",
    confirmText: (title) => `„${title}“ wird gelöscht. Das kann nicht rückgängig gemacht werden.`,
    confirm: "Löschen",
    cancel: "Abbrechen",
    close: "Verlauf schließen",
    untitled: "Unterhaltung ohne Titel",
    notSaved: "Diese Unterhaltung ist nicht gespeichert",
    dismiss: "Ausblenden",
    moveFull: (message) =>
      `Einige in diesem Browser gespeicherte Unterhaltungen konnten nicht auf den Server übertragen werden: ${message}`,
    moveFailed: (kept, message) =>
      one(kept)
        ? `${num(kept)} in diesem Browser gespeicherte Unterhaltung konnte noch nicht auf den Server übertragen werden (${message}); sie bleibt hier und wird beim nächsten Mal erneut versucht.`
        : `${num(kept)} in diesem Browser gespeicherte Unterhaltungen konnten noch nicht auf den Server übertragen werden (${message}); sie bleiben hier und werden beim nächsten Mal erneut versucht.`,
  },
  exportMenu: {
    button: "Herunterladen",
    label: "Diese Unterhaltung herunterladen",
    markdown: "Als Markdown herunterladen",
    json: "Als JSON herunterladen",
    failed: "Die Unterhaltung konnte nicht heruntergeladen werden",
  },
  feedback: {
    label: "Diese Antwort bewerten",
    up: "Gute Antwort",
    down: "Schlechte Antwort",
    comment: "Kommentar (optional)",
    send: "Feedback senden",
    sending: "Wird gesendet…",
    thanks: "Danke für Ihr Feedback",
    failed: (message) => `Feedback nicht gesendet: ${message}`,
  },
  notice: {
    label: "Hinweis des Servers",
  },
  auth: {
    signIn: "Anmelden",
    signOut: "Abmelden",
    signedInAs: (name) => `Angemeldet als ${name}`,
    account: "Ihr Konto",
    checking: "Ihre Anmeldung wird geprüft…",
    signingIn: "Sie werden angemeldet…",
    requiredTitle: "Bitte melden Sie sich an",
    requiredHint:
      "Diese App antwortet aus Dokumenten, auf die Sie Zugriff haben, und muss deshalb zuerst wissen, wer Sie sind.",
    expired: "Ihre Anmeldung ist abgelaufen – bitte melden Sie sich erneut an",
    signInAgain: "Erneut anmelden",
    failed: (detail) => `Die Anmeldung wurde nicht abgeschlossen: ${detail}`,
    setupFailed:
      "Die Anmeldeeinstellungen konnten nicht geladen werden. Laden Sie die Seite neu, um es erneut zu versuchen.",
  },
  uploads: {
    open: "Dokumente hochladen",
    title: "Dokumente hochladen",
    close: "Schließen",
    intro:
      "Nur Sie sehen die Dokumente, die Sie hochladen; Antworten auf Ihre Fragen können sie zitieren.",
    choose: "Datei auswählen",
    accepted: (extensions, max) => `Erlaubt: ${extensions}. Bis zu ${max}.`,
    upload: "Hochladen",
    chooseFirst: "Wählen Sie zuerst eine Datei zum Hochladen aus.",
    progressLabel: "Fortschritt des Hochladens",
    uploading: (percent) => `Wird hochgeladen… ${num(percent)} %`,
    indexing: "Wird indexiert…",
    uploaded: (name, chunks) =>
      one(chunks)
        ? `${name} ist hochgeladen: ${num(chunks)} Passage kann jetzt zitiert werden.`
        : `${name} ist hochgeladen: ${num(chunks)} Passagen können jetzt zitiert werden.`,
    tooLarge: (name, size, max) =>
      `${name} ist ${size} groß; eine Datei darf höchstens ${max} groß sein.`,
    emptyFile: (name) => `${name} ist leer.`,
    badType: (name, extensions) =>
      `${name} hat einen Dateityp, den diese App nicht lesen kann. Wählen Sie einen davon: ${extensions}.`,
    listTitle: "Ihre Dokumente",
    listLabel: "Ihre Dokumente",
    loading: "Ihre Dokumente werden geladen…",
    none: "Sie haben noch keine Dokumente hochgeladen.",
    remove: (name) => `${name} löschen`,
    confirmTitle: (name) => `${name} löschen?`,
    confirmText: "Antworten zitieren es dann nicht mehr. Das kann nicht rückgängig gemacht werden.",
    confirm: "Löschen",
    cancel: "Abbrechen",
    deleted: (name) => `${name} ist gelöscht.`,
    marker: "Ihr Upload",
  },
};

export default de;
