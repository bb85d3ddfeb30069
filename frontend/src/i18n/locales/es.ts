/** Spanish. */
import type { Messages } from "../en";

const numbers = new Intl.NumberFormat("es");
const num = (value: number) => numbers.format(value);
const plural = new Intl.PluralRules("es");
const one = (value: number) => plural.select(value) === "one";

const es: Messages = {
  appTitle: "Chat del manual de Cairnwood",
  appShortTitle: "Chat del manual",
  skipToContent: "Ir al cuadro de preguntas",
  nav: {
    label: "Páginas",
    chat: "Chat",
    ask: "Preguntar",
  },
  languagePicker: {
    label: "Idioma",
  },
  theme: {
    toDark: "Cambiar al tema oscuro",
    toLight: "Cambiar al tema claro",
  },
  header: {
    settings: "Ajustes para desarrolladores",
    history: "Historial",
  },
  chat: {
    heading: "Chatea con el manual",
    emptyTitle: "Pregunta lo que quieras sobre el manual de Cairnwood Outdoor Co.",
    emptyHint: "Las respuestas citan el manual e indican sus fuentes. Prueba con una de estas:",
    examples: [
      "¿Cuántas semanas de permiso parental me corresponden?",
      "¿Cuál es el deducible del plan Plus?",
      "¿Cuál es el límite para hoteles en una ciudad grande?",
    ],
    examplesLabel: "Preguntas de ejemplo",
    conversationLabel: "Conversación",
    you: "Tú",
    clear: "Borrar el chat",
  },
  ask: {
    heading: "Haz una pregunta",
    emptyTitle: "Una pregunta, una respuesta",
    emptyHint:
      "Cada pregunta se responde por separado, sin tener en cuenta las anteriores. Prueba:",
  },
  input: {
    label: "Tu pregunta",
    placeholder: "Escribe una pregunta…",
    send: "Enviar",
    stop: "Detener",
  },
  speech: {
    listen: "Preguntar por voz",
    listening: "Escuchando… di tu pregunta, o pulsa de nuevo el micrófono para parar.",
    micBlocked: "El micrófono está bloqueado: permítelo para este sitio para preguntar por voz.",
    noSpeech: "No se oyó nada. Pulsa el micrófono y vuelve a intentarlo.",
    inputFailed: "El reconocimiento de voz falló. Vuelve a intentarlo o escribe la pregunta.",
    readAloud: "Leer la respuesta en voz alta",
    stopReading: "Dejar de leer en voz alta",
    loading: "Preparando el audio…",
    reading: "Leyendo la respuesta en voz alta.",
    outputFailed: "No se pudo leer la respuesta en voz alta.",
  },
  answer: {
    waiting: "Buscando en los documentos…",
    streaming: "Escribiendo la respuesta…",
    done: "Respuesta completa.",
    stopped: "Detenida. La respuesta anterior está incompleta.",
    stoppedLabel: "Detenida",
    truncated:
      "Respuesta cortada: alcanzó la longitud máxima que permite este servidor. Pide una respuesta más concreta.",
    citations: "Citas",
    citationLabel: (n, ref) => `Cita ${n}: ${ref}`,
    followups: "Preguntas de seguimiento",
    copy: "Copiar la respuesta",
    copied: "Copiada",
    copyFailed: "No se pudo copiar",
    thoughtProcess: "Proceso de razonamiento",
    supportingContent: "Contenido de apoyo",
  },
  errors: {
    title: "Algo salió mal",
    retry: "Reintentar",
    network: "No se pudo conectar con el servidor. Comprueba tu conexión y vuelve a intentarlo.",
    status: (status) => `El servidor respondió con un error (HTTP ${status}).`,
    badStream: "El servidor envió una respuesta que esta página no pudo leer.",
    connectionLost:
      "Se perdió la conexión con el servidor antes de completar la respuesta (puede que el servidor se haya reiniciado).",
    offline: "Estás sin conexión: la conexión se cortó antes de completar la respuesta.",
    reference: (id) => `Referencia: ${id}`,
    config:
      "No se pudo cargar la configuración del servidor; se muestran los valores predeterminados.",
  },
  states: {
    offline:
      "Estás sin conexión. Una pregunta que hagas ahora se enviará cuando vuelva la conexión.",
    backOnline: "Vuelves a tener conexión.",
    queued: "Esperando a la red: esta pregunta se enviará en cuanto vuelvas a tener conexión.",
    cancelQueued: "No enviar",
    cut: "La respuesta se cortó aquí: lo que se muestra está incompleto.",
  },
  evidence: {
    title: "Evidencias",
    close: "Cerrar las evidencias",
    tabsLabel: "Vistas de las evidencias",
    document: "Documento",
    supporting: "Contenido de apoyo",
    thoughts: "Proceso de razonamiento",
    noCitation: "Selecciona una cita de la respuesta para ver aquí su documento.",
    documentFrame: (ref) => `Documento citado: ${ref}`,
    openInNewTab: "Abrir en una pestaña nueva",
    download: "Descargar",
    loading: "Abriendo el documento…",
    citedPassage: "Fragmento citado",
    passageNotFound:
      "No se encontró el fragmento citado en este documento, así que no hay nada resaltado.",
    failed: "No se pudo abrir este documento.",
    serverError: (status) =>
      `No se pudo abrir este documento: el servidor respondió con un error (HTTP ${status}).`,
    cannotShow: "Este tipo de archivo no se puede mostrar aquí.",
    openDirectly: "Abrir el archivo directamente",
    retry: "Reintentar",
    notAvailable: "Este documento no está disponible para ti o ya no existe",
    noSupporting: "No se recuperó contenido de apoyo para esta respuesta.",
    noThoughts: "No se registró ningún proceso de razonamiento para esta respuesta.",
    props: "Detalles",
  },
  settings: {
    title: "Ajustes para desarrolladores",
    close: "Cerrar los ajustes",
    reset: "Restablecer los valores predeterminados",
    saved: "Los ajustes se guardan en este navegador.",
    retrieval: "Recuperación",
    answer: "Respuesta",
    retrievalMode: "Modo de recuperación",
    modes: {
      hybrid: "Híbrido (texto y vectores)",
      text: "Solo texto",
      vectors: "Solo vectores",
    },
    serverDefault: "predeterminado del servidor",
    onlyMode: (mode) =>
      `Modo de recuperación: ${mode}. La búsqueda vectorial e híbrida necesitan un modelo de embeddings en el servidor.`,
    top: "Número de fuentes que recuperar",
    semanticRanker: "Usar el clasificador semántico",
    semanticCaptions: "Usar subtítulos semánticos en lugar de fragmentos completos",
    minimumSearchScore: "Puntuación mínima de búsqueda",
    minimumRerankerScore: "Puntuación mínima del reclasificador",
    includeCategory: "Solo esta categoría",
    excludeCategory: "Excluir esta categoría",
    categoryHint: "Déjalo vacío para incluir todas las categorías.",
    temperature: "Temperatura",
    seed: "Semilla",
    suggestFollowups: "Sugerir preguntas de seguimiento",
    language: "Idioma de las respuestas",
    languageDefault: (language) => `El idioma de la página (${language})`,
    promptTemplate: "Plantilla de prompt",
    promptTemplateHint:
      "Sustituye el prompt del sistema; empieza con >>> para añadirla al prompt predeterminado.",
    range: (min, max) => `De ${num(min)} a ${num(max)}.`,
    atLeast: (min) => `Al menos ${num(min)}.`,
    optional: "Déjalo vacío para usar el valor predeterminado del servidor.",
  },
  history: {
    title: "Conversaciones",
    empty: "Tus conversaciones se guardan en este navegador y aparecen aquí.",
    emptyServer: "Tus conversaciones se guardan en el servidor y aparecen aquí.",
    loading: "Cargando las conversaciones…",
    loadMore: "Cargar más",
    listFailed: (message) => `No se pudieron cargar tus conversaciones: ${message}`,
    remove: (title) => `Eliminar la conversación: ${title}`,
    rename: (title) => `Cambiar el nombre de la conversación: ${title}`,
    titleLabel: "Título de la conversación",
    saveTitle: "Guardar el título",
    cancelRename: "Cancelar el cambio de nombre",
    titleLength: "Un título tiene de 1 a 200 caracteres.",
    missing: "Esa conversación no existe.",
    confirmTitle: "¿Eliminar esta conversación?",
    confirmText: (title) => `Se eliminará «${title}». Esta acción no se puede deshacer.`,
    confirm: "Eliminar",
    cancel: "Cancelar",
    close: "Cerrar el historial",
    untitled: "Conversación sin título",
    notSaved: "Esta conversación no está guardada",
    dismiss: "Descartar",
    moveFull: (message) =>
      `Algunas conversaciones guardadas en este navegador no se pudieron trasladar al servidor: ${message}`,
    moveFailed: (kept, message) =>
      one(kept)
        ? `${num(kept)} conversación guardada en este navegador aún no se pudo trasladar al servidor (${message}); se conserva aquí y se volverá a intentar la próxima vez.`
        : `${num(kept)} conversaciones guardadas en este navegador aún no se pudieron trasladar al servidor (${message}); se conservan aquí y se volverá a intentar la próxima vez.`,
  },
  exportMenu: {
    button: "Descargar",
    label: "Descargar esta conversación",
    markdown: "Descargar en Markdown",
    json: "Descargar en JSON",
    failed: "No se pudo descargar la conversación",
  },
  feedback: {
    label: "Valora esta respuesta",
    up: "Buena respuesta",
    down: "Mala respuesta",
    comment: "Comentario (opcional)",
    send: "Enviar la valoración",
    sending: "Enviando…",
    thanks: "Gracias por tu valoración",
    failed: (message) => `No se envió la valoración: ${message}`,
  },
  notice: {
    label: "Aviso del servidor",
  },
  auth: {
    signIn: "Iniciar sesión",
    signOut: "Cerrar sesión",
    signedInAs: (name) => `Sesión iniciada como ${name}`,
    account: "Tu cuenta",
    checking: "Comprobando tu sesión…",
    signingIn: "Iniciando tu sesión…",
    requiredTitle: "Inicia sesión",
    requiredHint:
      "Esta aplicación responde a partir de los documentos a los que tienes acceso, así que primero necesita saber quién eres.",
    expired: "Tu sesión ha caducado: vuelve a iniciar sesión",
    signInAgain: "Volver a iniciar sesión",
    failed: (detail) => `No se completó el inicio de sesión: ${detail}`,
    setupFailed:
      "No se pudo cargar la configuración de inicio de sesión. Recarga la página para volver a intentarlo.",
  },
  uploads: {
    open: "Subir documentos",
    title: "Subir documentos",
    close: "Cerrar",
    intro:
      "Solo tú puedes ver los documentos que subes; las respuestas a tus preguntas pueden citarlos.",
    choose: "Elige un archivo",
    accepted: (extensions, max) => `Se aceptan: ${extensions}. Hasta ${max}.`,
    upload: "Subir",
    chooseFirst: "Primero elige un archivo para subir.",
    progressLabel: "Progreso de la subida",
    uploading: (percent) => `Subiendo… ${num(percent)} %`,
    indexing: "Indexando…",
    uploaded: (name, chunks) =>
      one(chunks)
        ? `${name} se ha subido: ahora se puede citar ${num(chunks)} fragmento.`
        : `${name} se ha subido: ahora se pueden citar ${num(chunks)} fragmentos.`,
    tooLarge: (name, size, max) => `${name} ocupa ${size}; un archivo puede ocupar hasta ${max}.`,
    emptyFile: (name) => `${name} está vacío.`,
    badType: (name, extensions) =>
      `${name} no es de un tipo que esta aplicación pueda leer. Elige uno de estos: ${extensions}.`,
    listTitle: "Tus documentos",
    listLabel: "Tus documentos",
    loading: "Cargando tus documentos…",
    none: "Aún no has subido ningún documento.",
    remove: (name) => `Eliminar ${name}`,
    confirmTitle: (name) => `¿Eliminar ${name}?`,
    confirmText: "Las respuestas dejarán de citarlo. Esta acción no se puede deshacer.",
    confirm: "Eliminar",
    cancel: "Cancelar",
    deleted: (name) => `${name} se ha eliminado.`,
    marker: "subido por ti",
  },
};

export default es;
