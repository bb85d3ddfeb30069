/** French. */
import type { Messages } from "../en";

const numbers = new Intl.NumberFormat("fr");
const num = (value: number) => numbers.format(value);
const plural = new Intl.PluralRules("fr");
const one = (value: number) => plural.select(value) === "one";

const fr: Messages = {
  appTitle: "Chat du manuel Cairnwood",
  appShortTitle: "Chat du manuel",
  skipToContent: "Aller à la zone de question",
  nav: {
    label: "Pages",
    chat: "Chat",
    ask: "Question",
  },
  languagePicker: {
    label: "Langue",
  },
  theme: {
    toDark: "Passer au thème sombre",
    toLight: "Passer au thème clair",
  },
  header: {
    settings: "Paramètres pour développeurs",
    history: "Historique",
  },
  chat: {
    heading: "Discuter avec le manuel",
    emptyTitle: "Posez n’importe quelle question sur le manuel de Cairnwood Outdoor Co.",
    emptyHint:
      "Les réponses citent le manuel et indiquent leurs sources. Essayez l’une de celles-ci :",
    examples: [
      "À combien de semaines de congé parental ai-je droit ?",
      "Quelle est la franchise du forfait Plus ?",
      "Quel est le plafond d’hôtel dans une grande ville ?",
    ],
    examplesLabel: "Exemples de questions",
    conversationLabel: "Conversation",
    you: "Vous",
    clear: "Effacer le chat",
  },
  ask: {
    heading: "Poser une question",
    emptyTitle: "Une question, une réponse",
    emptyHint:
      "Chaque question reçoit sa propre réponse, sans tenir compte des précédentes. Essayez :",
  },
  input: {
    label: "Votre question",
    placeholder: "Saisissez une question…",
    send: "Envoyer",
    stop: "Arrêter",
  },
  speech: {
    listen: "Poser la question à voix haute",
    listening: "À l’écoute… dites votre question, ou appuyez de nouveau sur le micro pour arrêter.",
    micBlocked:
      "Le micro est bloqué : autorisez-le pour ce site pour poser vos questions à voix haute.",
    noSpeech: "Rien n’a été entendu. Appuyez sur le micro et réessayez.",
    inputFailed: "La reconnaissance vocale a échoué. Réessayez, ou saisissez la question.",
    readAloud: "Lire la réponse à voix haute",
    stopReading: "Arrêter la lecture à voix haute",
    loading: "Préparation de l’audio…",
    reading: "Lecture de la réponse à voix haute.",
    outputFailed: "Impossible de lire la réponse à voix haute.",
  },
  answer: {
    waiting: "Recherche dans les documents…",
    streaming: "Rédaction de la réponse…",
    done: "Réponse terminée.",
    stopped: "Arrêtée. La réponse ci-dessus est incomplète.",
    stoppedLabel: "Arrêtée",
    truncated:
      "Réponse tronquée : elle a atteint la longueur maximale autorisée par ce serveur. Demandez une réponse plus ciblée.",
    citations: "Citations",
    citationLabel: (n, ref) => `Citation ${n} : ${ref}`,
    followups: "Questions de suivi",
    copy: "Copier la réponse",
    copied: "Copiée",
    copyFailed: "Copie impossible",
    thoughtProcess: "Raisonnement",
    supportingContent: "Contenu justificatif",
  },
  errors: {
    title: "Un problème est survenu",
    retry: "Réessayer",
    network: "Impossible de joindre le serveur. Vérifiez votre connexion et réessayez.",
    status: (status) => `Le serveur a répondu par une erreur (HTTP ${status}).`,
    badStream: "Le serveur a envoyé une réponse que cette page n’a pas pu lire.",
    connectionLost:
      "La connexion au serveur a été perdue avant la fin de la réponse (le serveur a peut-être redémarré).",
    offline: "Vous êtes hors ligne : la connexion a été coupée avant la fin de la réponse.",
    reference: (id) => `Référence : ${id}`,
    config:
      "Impossible de charger les paramètres du serveur ; les valeurs par défaut sont affichées.",
  },
  states: {
    offline:
      "Vous êtes hors ligne. Une question posée maintenant sera envoyée au retour de la connexion.",
    backOnline: "Vous êtes de nouveau en ligne.",
    queued: "En attente du réseau : cette question sera envoyée dès votre retour en ligne.",
    cancelQueued: "Ne pas envoyer",
    cut: "La réponse a été coupée ici : ce qui est affiché est incomplet.",
  },
  evidence: {
    title: "Sources",
    close: "Fermer les sources",
    tabsLabel: "Vues des sources",
    document: "Document",
    supporting: "Contenu justificatif",
    thoughts: "Raisonnement",
    noCitation: "Sélectionnez une citation dans la réponse pour afficher son document ici.",
    documentFrame: (ref) => `Document cité : ${ref}`,
    openInNewTab: "Ouvrir dans un nouvel onglet",
    download: "Télécharger",
    loading: "Ouverture du document…",
    citedPassage: "Passage cité",
    passageNotFound:
      "Le passage cité est introuvable dans ce document ; rien n’y est donc surligné.",
    failed: "Impossible d’ouvrir ce document.",
    serverError: (status) =>
      `Impossible d’ouvrir ce document : le serveur a répondu par une erreur (HTTP ${status}).`,
    cannotShow: "Ce type de fichier ne peut pas être affiché ici.",
    openDirectly: "Ouvrir le fichier directement",
    retry: "Réessayer",
    notAvailable: "Ce document ne vous est pas accessible ou n’existe plus",
    noSupporting: "Aucun contenu justificatif n’a été récupéré pour cette réponse.",
    noThoughts: "Aucun raisonnement n’a été enregistré pour cette réponse.",
    props: "Détails",
  },
  settings: {
    title: "Paramètres pour développeurs",
    close: "Fermer les paramètres",
    reset: "Rétablir les valeurs par défaut",
    saved: "Les paramètres sont enregistrés dans ce navigateur.",
    retrieval: "Recherche",
    answer: "Réponse",
    retrievalMode: "Mode de recherche",
    modes: {
      hybrid: "Hybride (texte et vecteurs)",
      text: "Texte uniquement",
      vectors: "Vecteurs uniquement",
    },
    serverDefault: "valeur par défaut du serveur",
    onlyMode: (mode) =>
      `Mode de recherche : ${mode}. Les recherches vectorielle et hybride nécessitent un modèle d’embeddings sur le serveur.`,
    top: "Nombre de sources à récupérer",
    semanticRanker: "Utiliser le classement sémantique",
    semanticCaptions: "Utiliser des légendes sémantiques plutôt que des passages entiers",
    minimumSearchScore: "Score de recherche minimal",
    minimumRerankerScore: "Score de reclassement minimal",
    includeCategory: "Uniquement cette catégorie",
    excludeCategory: "Exclure cette catégorie",
    categoryHint: "Laissez vide pour toutes les catégories.",
    temperature: "Température",
    seed: "Graine",
    suggestFollowups: "Proposer des questions de suivi",
    language: "Langue des réponses",
    languageDefault: (language) => `La langue de la page (${language})`,
    promptTemplate: "Modèle de prompt",
    promptTemplateHint:
      "Remplace le prompt système ; commencez par >>> pour l’ajouter plutôt au prompt par défaut.",
    range: (min, max) => `De ${num(min)} à ${num(max)}.`,
    atLeast: (min) => `Au moins ${num(min)}.`,
    optional: "Laissez vide pour la valeur par défaut du serveur.",
  },
  history: {
    title: "Conversations",
    empty: "Vos conversations sont enregistrées dans ce navigateur et listées ici.",
    emptyServer: "Vos conversations sont enregistrées sur le serveur et listées ici.",
    loading: "Chargement des conversations…",
    loadMore: "Afficher plus",
    listFailed: (message) => `Impossible de charger vos conversations : ${message}`,
    remove: (title) => `Supprimer la conversation : ${title}`,
    rename: (title) => `Renommer la conversation : ${title}`,
    titleLabel: "Titre de la conversation",
    saveTitle: "Enregistrer le titre",
    cancelRename: "Annuler le renommage",
    titleLength: "Un titre compte de 1 à 200 caractères.",
    missing: "Cette conversation n’existe pas.",
    confirmTitle: "Supprimer cette conversation ?",
    confirmText: (title) => `« ${title} » sera supprimée. Cette action est irréversible.`,
    confirm: "Supprimer",
    cancel: "Annuler",
    close: "Fermer l’historique",
    untitled: "Conversation sans titre",
    notSaved: "Cette conversation n’est pas enregistrée",
    dismiss: "Masquer",
    moveFull: (message) =>
      `Certaines conversations enregistrées dans ce navigateur n’ont pas pu être transférées sur le serveur : ${message}`,
    moveFailed: (kept, message) =>
      one(kept)
        ? `${num(kept)} conversation enregistrée dans ce navigateur n’a pas encore pu être transférée sur le serveur (${message}) ; elle est conservée ici et le transfert sera retenté la prochaine fois.`
        : `${num(kept)} conversations enregistrées dans ce navigateur n’ont pas encore pu être transférées sur le serveur (${message}) ; elles sont conservées ici et le transfert sera retenté la prochaine fois.`,
  },
  exportMenu: {
    button: "Télécharger",
    label: "Télécharger cette conversation",
    markdown: "Télécharger au format Markdown",
    json: "Télécharger au format JSON",
    failed: "Impossible de télécharger la conversation",
  },
  feedback: {
    label: "Évaluer cette réponse",
    up: "Bonne réponse",
    down: "Mauvaise réponse",
    comment: "Commentaire (facultatif)",
    send: "Envoyer l’avis",
    sending: "Envoi…",
    thanks: "Merci pour votre avis",
    failed: (message) => `Avis non envoyé : ${message}`,
  },
  notice: {
    label: "Message du serveur",
  },
  auth: {
    signIn: "Se connecter",
    signOut: "Se déconnecter",
    signedInAs: (name) => `Connecté en tant que ${name}`,
    account: "Votre compte",
    checking: "Vérification de votre connexion…",
    signingIn: "Connexion en cours…",
    requiredTitle: "Veuillez vous connecter",
    requiredHint:
      "Cette application répond à partir des documents auxquels vous avez accès : elle doit d’abord savoir qui vous êtes.",
    expired: "Votre session a expiré : reconnectez-vous",
    signInAgain: "Se reconnecter",
    failed: (detail) => `La connexion n’a pas abouti : ${detail}`,
    setupFailed:
      "Impossible de charger les paramètres de connexion. Rechargez la page pour réessayer.",
  },
  uploads: {
    open: "Importer des documents",
    title: "Importer des documents",
    close: "Fermer",
    intro:
      "Vous seul voyez les documents que vous importez ; les réponses à vos questions peuvent les citer.",
    choose: "Choisir un fichier",
    accepted: (extensions, max) => `Formats acceptés : ${extensions}. Jusqu’à ${max}.`,
    upload: "Importer",
    chooseFirst: "Choisissez d’abord un fichier à importer.",
    progressLabel: "Progression de l’import",
    uploading: (percent) => `Import… ${num(percent)} %`,
    indexing: "Indexation…",
    uploaded: (name, chunks) =>
      one(chunks)
        ? `${name} est importé : ${num(chunks)} passage peut désormais être cité.`
        : `${name} est importé : ${num(chunks)} passages peuvent désormais être cités.`,
    tooLarge: (name, size, max) => `${name} fait ${size} ; un fichier peut faire jusqu’à ${max}.`,
    emptyFile: (name) => `${name} est vide.`,
    badType: (name, extensions) =>
      `${name} n’est pas d’un type que cette application sait lire. Choisissez l’un de ceux-ci : ${extensions}.`,
    listTitle: "Vos documents",
    listLabel: "Vos documents",
    loading: "Chargement de vos documents…",
    none: "Vous n’avez encore importé aucun document.",
    remove: (name) => `Supprimer ${name}`,
    confirmTitle: (name) => `Supprimer ${name} ?`,
    confirmText: "Les réponses ne le citeront plus. Cette action est irréversible.",
    confirm: "Supprimer",
    cancel: "Annuler",
    deleted: (name) => `${name} est supprimé.`,
    marker: "votre import",
  },
};

export default fr;
