/** Arabic (written right to left: the picker sets `dir="rtl"`). */
import type { Messages } from "../en";

const numbers = new Intl.NumberFormat("ar");
const num = (value: number) => numbers.format(value);
const plural = new Intl.PluralRules("ar");

/** A counted noun in the form Arabic grammar gives that count. */
function counted(
  value: number,
  forms: { one: string; two: string; few: string; many: string },
): string {
  switch (plural.select(value)) {
    case "one":
      return forms.one;
    case "two":
      return forms.two;
    case "few":
      return `${num(value)} ${forms.few}`;
    default:
      return `${num(value)} ${forms.many}`;
  }
}

const conversations = (value: number) =>
  counted(value, { one: "محادثة واحدة", two: "محادثتين", few: "محادثات", many: "محادثة" });
const passages = (value: number) =>
  counted(value, { one: "مقطع واحد", two: "مقطعين", few: "مقاطع", many: "مقطعًا" });

const ar: Messages = {
  appTitle: "دردشة دليل Cairnwood",
  appShortTitle: "دردشة الدليل",
  skipToContent: "انتقل إلى مربع السؤال",
  nav: {
    label: "الصفحات",
    chat: "دردشة",
    ask: "سؤال",
  },
  languagePicker: {
    label: "اللغة",
  },
  theme: {
    toDark: "التبديل إلى المظهر الداكن",
    toLight: "التبديل إلى المظهر الفاتح",
  },
  header: {
    settings: "إعدادات المطوّرين",
    history: "السجل",
  },
  chat: {
    heading: "دردش مع الدليل",
    // The mark after "Co." keeps its full stop with the English name, not at the line's end.
    emptyTitle: "اسأل أي شيء عن دليل Cairnwood Outdoor Co.\u200e",
    emptyHint: "تقتبس الإجابات من الدليل وتذكر مصادرها. جرّب أحد هذه الأسئلة:",
    examples: [
      "كم أسبوعًا من إجازة الوالدين أحصل عليها؟",
      "ما مبلغ التحمّل في خطة Plus؟",
      "ما الحد الأقصى لتكلفة الفندق في مدينة كبيرة؟",
    ],
    examplesLabel: "أسئلة نموذجية",
    conversationLabel: "المحادثة",
    you: "أنت",
    clear: "مسح الدردشة",
  },
  ask: {
    heading: "اطرح سؤالًا واحدًا",
    emptyTitle: "سؤال واحد، إجابة واحدة",
    emptyHint: "يُجاب عن كل سؤال على حدة، دون الأسئلة السابقة. جرّب:",
  },
  input: {
    label: "سؤالك",
    placeholder: "اكتب سؤالًا…",
    send: "إرسال",
    stop: "إيقاف",
  },
  speech: {
    listen: "اسأل بالصوت",
    listening: "جارٍ الاستماع… قل سؤالك، أو اضغط على الميكروفون مرة أخرى للإيقاف.",
    micBlocked: "الميكروفون محظور: اسمح به لهذا الموقع لتسأل بالصوت.",
    noSpeech: "لم يُسمع أي كلام. اضغط على الميكروفون وحاول مرة أخرى.",
    inputFailed: "فشل التعرف على الكلام. حاول مرة أخرى، أو اكتب السؤال.",
    readAloud: "اقرأ الإجابة بصوت عالٍ",
    stopReading: "أوقف القراءة بصوت عالٍ",
    loading: "جارٍ تجهيز الصوت…",
    reading: "تُقرأ الإجابة بصوت عالٍ.",
    outputFailed: "تعذّرت قراءة الإجابة بصوت عالٍ.",
  },
  answer: {
    waiting: "جارٍ البحث في المستندات…",
    streaming: "جارٍ كتابة الإجابة…",
    done: "اكتملت الإجابة.",
    stopped: "توقفت. الإجابة أعلاه غير مكتملة.",
    stoppedLabel: "متوقفة",
    truncated: "انقطعت الإجابة: بلغت الطول الذي يسمح به هذا الخادم. اطلب إجابة أضيق نطاقًا.",
    citations: "الاستشهادات",
    citationLabel: (n, ref) => `الاستشهاد ${n}: ${ref}`,
    followups: "أسئلة متابعة",
    copy: "نسخ الإجابة",
    copied: "تم النسخ",
    copyFailed: "تعذّر النسخ",
    thoughtProcess: "طريقة التفكير",
    supportingContent: "المحتوى الداعم",
  },
  errors: {
    title: "حدث خطأ ما",
    retry: "إعادة المحاولة",
    network: "تعذّر الوصول إلى الخادم. تحقّق من اتصالك وحاول مرة أخرى.",
    status: (status) => `ردّ الخادم بخطأ (HTTP ${status}).`,
    badStream: "أرسل الخادم إجابة تعذّر على هذه الصفحة قراءتها.",
    connectionLost: "انقطع الاتصال بالخادم قبل اكتمال الإجابة (ربما أُعيد تشغيل الخادم).",
    offline: "أنت غير متصل بالإنترنت: انقطع الاتصال قبل اكتمال الإجابة.",
    reference: (id) => `المرجع: ${id}`,
    config: "تعذّر تحميل إعدادات الخادم؛ تُعرض القيم الافتراضية.",
  },
  states: {
    offline: "أنت غير متصل بالإنترنت. السؤال الذي تطرحه الآن سيُرسل عند عودة الاتصال.",
    backOnline: "عاد اتصالك بالإنترنت.",
    queued: "في انتظار الشبكة: سيُرسل هذا السؤال فور عودة اتصالك.",
    cancelQueued: "لا ترسل",
    cut: "انقطعت الإجابة هنا: ما يظهر غير مكتمل.",
  },
  evidence: {
    title: "الأدلة",
    close: "إغلاق الأدلة",
    tabsLabel: "طرق عرض الأدلة",
    document: "المستند",
    supporting: "المحتوى الداعم",
    thoughts: "طريقة التفكير",
    noCitation: "اختر استشهادًا في الإجابة لعرض مستنده هنا.",
    documentFrame: (ref) => `المستند المستشهد به: ${ref}`,
    openInNewTab: "فتح في علامة تبويب جديدة",
    download: "تنزيل",
    loading: "جارٍ فتح المستند…",
    citedPassage: "المقطع المستشهد به",
    passageNotFound: "تعذّر العثور على المقطع المستشهد به في هذا المستند، لذا لم يُميَّز أي شيء فيه.",
    failed: "تعذّر فتح هذا المستند.",
    serverError: (status) => `تعذّر فتح هذا المستند: ردّ الخادم بخطأ (HTTP ${status}).`,
    cannotShow: "لا يمكن عرض هذا النوع من الملفات هنا.",
    openDirectly: "افتح الملف مباشرةً",
    retry: "أعد المحاولة",
    notAvailable: "هذا المستند غير متاح لك أو لم يعد موجودًا",
    noSupporting: "لم يُسترجع أي محتوى داعم لهذه الإجابة.",
    noThoughts: "لم تُسجَّل طريقة تفكير لهذه الإجابة.",
    props: "التفاصيل",
  },
  settings: {
    title: "إعدادات المطوّرين",
    close: "إغلاق الإعدادات",
    reset: "استعادة الإعدادات الافتراضية",
    saved: "تُحفظ الإعدادات في هذا المتصفح.",
    retrieval: "الاسترجاع",
    answer: "الإجابة",
    retrievalMode: "وضع الاسترجاع",
    modes: {
      hybrid: "مختلط (نص ومتجهات)",
      text: "نص فقط",
      vectors: "متجهات فقط",
    },
    serverDefault: "الإعداد الافتراضي للخادم",
    onlyMode: (mode) =>
      `وضع الاسترجاع: ${mode}. يحتاج البحث بالمتجهات والبحث المختلط إلى نموذج تضمين على الخادم.`,
    top: "عدد المصادر المطلوب استرجاعها",
    semanticRanker: "استخدام المصنِّف الدلالي",
    semanticCaptions: "استخدام التسميات الدلالية بدلًا من المقاطع الكاملة",
    minimumSearchScore: "الحد الأدنى لدرجة البحث",
    minimumRerankerScore: "الحد الأدنى لدرجة إعادة الترتيب",
    includeCategory: "هذه الفئة فقط",
    excludeCategory: "استبعاد هذه الفئة",
    categoryHint: "اتركه فارغًا لكل الفئات.",
    temperature: "درجة الحرارة",
    seed: "البذرة",
    suggestFollowups: "اقتراح أسئلة متابعة",
    language: "لغة الإجابة",
    languageDefault: (language) => `لغة الصفحة (${language})`,
    promptTemplate: "قالب التعليمات",
    promptTemplateHint:
      "يحل محل تعليمات النظام؛ ابدأ بـ >>> لإضافته إلى التعليمات الافتراضية بدلًا من ذلك.",
    range: (min, max) => `من ${num(min)} إلى ${num(max)}.`,
    atLeast: (min) => `${num(min)} على الأقل.`,
    optional: "اتركه فارغًا لاستخدام الإعداد الافتراضي للخادم.",
  },
  history: {
    title: "المحادثات",
    empty: "تُحفظ محادثاتك في هذا المتصفح وتظهر هنا.",
    emptyServer: "تُحفظ محادثاتك على الخادم وتظهر هنا.",
    loading: "جارٍ تحميل المحادثات…",
    loadMore: "تحميل المزيد",
    listFailed: (message) => `تعذّر تحميل محادثاتك: ${message}`,
    remove: (title) => `حذف المحادثة: ${title}`,
    rename: (title) => `إعادة تسمية المحادثة: ${title}`,
    titleLabel: "عنوان المحادثة",
    saveTitle: "حفظ العنوان",
    cancelRename: "إلغاء إعادة التسمية",
    titleLength: "يتكون العنوان من 1 إلى 200 حرف.",
    missing: "لا توجد محادثة كهذه.",
    confirmTitle: "هل تريد حذف هذه المحادثة؟",
    confirmText: (title) => `سيتم حذف «${title}». لا يمكن التراجع عن ذلك.`,
    confirm: "حذف",
    cancel: "إلغاء",
    close: "إغلاق السجل",
    untitled: "محادثة بلا عنوان",
    notSaved: "هذه المحادثة غير محفوظة",
    dismiss: "تجاهل",
    moveFull: (message) => `تعذّر نقل بعض المحادثات المحفوظة في هذا المتصفح إلى الخادم: ${message}`,
    moveFailed: (kept, message) =>
      `تعذّر حتى الآن نقل ${conversations(kept)} من هذا المتصفح إلى الخادم (${message})؛ ستبقى هنا وستُعاد المحاولة في المرة القادمة.`,
  },
  exportMenu: {
    button: "تنزيل",
    label: "تنزيل هذه المحادثة",
    markdown: "تنزيل بتنسيق Markdown",
    json: "تنزيل بتنسيق JSON",
    failed: "تعذّر تنزيل المحادثة",
  },
  feedback: {
    label: "قيّم هذه الإجابة",
    up: "إجابة جيدة",
    down: "إجابة سيئة",
    comment: "تعليق (اختياري)",
    send: "إرسال التقييم",
    sending: "جارٍ الإرسال…",
    thanks: "شكرًا على تقييمك",
    failed: (message) => `لم يُرسل التقييم: ${message}`,
  },
  notice: {
    label: "إشعار من الخادم",
  },
  auth: {
    signIn: "تسجيل الدخول",
    signOut: "تسجيل الخروج",
    signedInAs: (name) => `مسجَّل الدخول باسم ${name}`,
    account: "حسابك",
    checking: "جارٍ التحقق من تسجيل دخولك…",
    signingIn: "جارٍ تسجيل دخولك…",
    requiredTitle: "يُرجى تسجيل الدخول",
    requiredHint:
      "يجيب هذا التطبيق من المستندات التي يحق لك الوصول إليها، لذا يحتاج أولًا إلى معرفة من أنت.",
    expired: "انتهت صلاحية تسجيل دخولك - سجّل الدخول مرة أخرى",
    signInAgain: "تسجيل الدخول مرة أخرى",
    failed: (detail) => `لم يكتمل تسجيل الدخول: ${detail}`,
    setupFailed: "تعذّر تحميل إعدادات تسجيل الدخول. أعد تحميل الصفحة للمحاولة مرة أخرى.",
  },
  uploads: {
    open: "رفع مستندات",
    title: "رفع مستندات",
    close: "إغلاق",
    intro: "أنت وحدك من يرى المستندات التي ترفعها؛ ويمكن أن تستشهد بها الإجابات عن أسئلتك.",
    choose: "اختر ملفًا",
    accepted: (extensions, max) => `الأنواع المقبولة: ${extensions}. بحد أقصى ${max}.`,
    upload: "رفع",
    chooseFirst: "اختر ملفًا لرفعه أولًا.",
    progressLabel: "تقدّم الرفع",
    uploading: (percent) => `جارٍ الرفع… ${num(percent)}٪`,
    indexing: "جارٍ الفهرسة…",
    uploaded: (name, chunks) => `تم رفع ${name}: يمكن الآن الاستشهاد بـ ${passages(chunks)}.`,
    tooLarge: (name, size, max) => `حجم ${name} هو ${size}؛ والحد الأقصى لحجم الملف ${max}.`,
    emptyFile: (name) => `${name} فارغ.`,
    badType: (name, extensions) =>
      `${name} ليس من نوع يستطيع هذا التطبيق قراءته. اختر أحد الأنواع التالية: ${extensions}.`,
    listTitle: "مستنداتك",
    listLabel: "مستنداتك",
    loading: "جارٍ تحميل مستنداتك…",
    none: "لم ترفع أي مستندات بعد.",
    remove: (name) => `حذف ${name}`,
    confirmTitle: (name) => `هل تريد حذف ${name}؟`,
    confirmText: "لن تستشهد به الإجابات بعد الآن. لا يمكن التراجع عن ذلك.",
    confirm: "حذف",
    cancel: "إلغاء",
    deleted: (name) => `تم حذف ${name}.`,
    marker: "من رفعك",
  },
};

export default ar;
