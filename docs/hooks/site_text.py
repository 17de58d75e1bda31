"""The site's own words in every language: banners, the lab note and the generated pages' headings.

The lessons, lab titles, CLI help and doctor findings are not here: they come translated from
kubelab's catalogs. A language missing a key falls back to English.
"""

TEXT = {
    "en": {
        "code": "Code", "meaning": "Meaning", "option": "Option",
        "untranslated": "This page is not translated yet: you are reading the English original.",
        "lab_untranslated": "This lab is not translated yet: it is shown in English.",
        "lab_partial": "Part of this lab is not translated yet: {count} of {total} text cells are shown in English.",
        "lab_outdated": "The English original of {count} text cell(s) changed after they were translated: "
                        "they may be out of date.",
        "lab_note": "This page shows the lesson. Do the lab in JupyterLab (<code>make lab</code>, or your class "
                    "hub): its cells work on your cluster, and its checks grade your work there.",
        "catalog_title": "Lab catalog",
        "catalog_intro": "Every lab, in teaching order. Each one is a notebook you do in JupyterLab; "
                         "its checks then grade what you built in your cluster. "
                         "Run `kubelab labs` to see which labs your cluster can run and how far you got.",
        "col_lab": "Lab", "col_time": "Time", "col_needs": "Needs", "col_translation": "Translation",
        "minutes": "{minutes} min",
        "some_checks": "some checks: {needs}",
        "after": "after {labs}",
        "original": "original",
        "complete": "complete",
        "percent": "{percent}% translated",
        "to_review": "{count} to review",
        "catalog_status_note": "Translation: how much of the lab's text (lesson, title, check messages) is "
                               "translated into this language. What is not translated is shown in English.",
        "cli_title": "The kubelab command",
        "cli_intro": "This page is generated from the `kubelab` command itself, so it always matches it. "
                     "`kubelab --help` and `kubelab COMMAND --help` show the same in your terminal.",
        "usage": "Usage", "default": "default",
        "required": "required", "global_options": "Options for every command",
        "exit_codes": "Exit codes",
        "exit_OK": "all good: every check passed, nothing is wrong",
        "exit_PROBLEM": "a problem was found: a check failed, or the doctor found something to fix",
        "exit_CANNOT_RUN": "kubelab could not run: bad input, no cluster, or an error that is not yours",
        "exit_INTERRUPTED": "interrupted (Ctrl-C)",
        "exit_INTERNAL": "a bug in kubelab: one line says what happened and which log file holds the details",
        "trouble_title": "Troubleshooting",
        "trouble_intro": "Run `kubelab doctor`: it examines your kubeconfig, the API server, the nodes, the tools "
                         "and your cluster backend, and prints what it found. This page lists everything it can "
                         "report, generated from the doctor itself. Each entry is named by the id that "
                         "`kubelab doctor --json` prints.",
        "problems": "Problems", "problems_intro": "Something stops the labs from working; fix it first.",
        "warnings": "Warnings", "warnings_intro": "The labs work, but some of them, or some checks, will not.",
        "fix": "The fix",
    },
    "ro": {
        "code": "Cod", "meaning": "Înțeles", "option": "Opțiune",
        "untranslated": "Această pagină nu este încă tradusă în limba română: citești originalul în engleză.",
        "lab_untranslated": "Acest laborator nu este încă tradus: este afișat în engleză.",
        "lab_partial": "O parte din acest laborator nu este încă tradusă: {count} din {total} celule de text "
                       "sunt afișate în engleză.",
        "lab_outdated": "Originalul în engleză a {count} celule de text s-a schimbat după traducere: "
                        "traducerea lor poate fi depășită.",
        "lab_note": "Această pagină arată lecția. Laboratorul îl faci în JupyterLab (<code>make lab</code> sau "
                    "serverul clasei tale): celulele lucrează pe clusterul tău, iar verificările îți notează "
                    "munca acolo.",
        "catalog_title": "Catalogul laboratoarelor",
        "catalog_intro": "Toate laboratoarele, în ordinea în care se predau. Fiecare este un notebook pe care "
                         "îl parcurgi în JupyterLab; apoi verificările lui notează ce ai construit în cluster. "
                         "Rulează `kubelab labs` ca să vezi ce laboratoare poate rula clusterul tău și cât ai "
                         "progresat.",
        "col_lab": "Laborator", "col_time": "Durată", "col_needs": "Necesită", "col_translation": "Traducere",
        "minutes": "{minutes} min",
        "some_checks": "unele verificări: {needs}",
        "after": "după {labs}",
        "original": "original",
        "complete": "completă",
        "percent": "{percent}% tradus",
        "to_review": "{count} de revizuit",
        "catalog_status_note": "Traducere: cât din textul laboratorului (lecția, titlul, mesajele verificărilor) "
                               "este tradus în această limbă. Ce nu este tradus apare în engleză.",
        "cli_title": "Comanda kubelab",
        "cli_intro": "Această pagină este generată din comanda `kubelab` însăși, așa că îi corespunde mereu. "
                     "`kubelab --help` și `kubelab COMANDĂ --help` arată același lucru în terminal.",
        "usage": "Utilizare", "default": "implicit",
        "required": "obligatoriu", "global_options": "Opțiuni pentru toate comenzile",
        "exit_codes": "Coduri de ieșire",
        "exit_OK": "totul e în regulă: toate verificările au trecut, nimic nu e greșit",
        "exit_PROBLEM": "s-a găsit o problemă: o verificare a eșuat sau doctorul a găsit ceva de reparat",
        "exit_CANNOT_RUN": "kubelab nu a putut rula: date greșite, niciun cluster sau o eroare care nu e a ta",
        "exit_INTERRUPTED": "întrerupt (Ctrl-C)",
        "exit_INTERNAL": "o eroare în kubelab: un rând spune ce s-a întâmplat și în "
                         "ce fișier de jurnal sunt detaliile",
        "trouble_title": "Depanare",
        "trouble_intro": "Rulează `kubelab doctor`: examinează kubeconfig-ul, API server-ul, nodurile, uneltele "
                         "și backend-ul clusterului, apoi afișează ce a găsit. Pagina aceasta enumeră tot ce poate "
                         "raporta, generată din doctor însuși. Fiecare intrare poartă id-ul afișat de "
                         "`kubelab doctor --json`.",
        "problems": "Probleme", "problems_intro": "Ceva împiedică laboratoarele să funcționeze; repară întâi asta.",
        "warnings": "Avertismente",
        "warnings_intro": "Laboratoarele merg, dar unele dintre ele, sau unele verificări, nu vor merge.",
        "fix": "Soluția",
    },
    "fr": {
        "code": "Code", "meaning": "Signification", "option": "Option",
        "untranslated": "Cette page n'est pas encore traduite en français : vous lisez l'original anglais.",
        "lab_untranslated": "Ce lab n'est pas encore traduit : il est affiché en anglais.",
        "lab_partial": "Une partie de ce lab n'est pas encore traduite : {count} cellules de texte sur {total} "
                       "sont affichées en anglais.",
        "lab_outdated": "L'original anglais de {count} cellule(s) de texte a changé depuis leur traduction : "
                        "elles peuvent ne plus être à jour.",
        "lab_note": "Cette page montre la leçon. Faites le lab dans JupyterLab (<code>make lab</code>, ou le hub "
                    "de votre classe) : ses cellules agissent sur votre cluster, et ses vérifications y notent "
                    "votre travail.",
        "catalog_title": "Catalogue des labs",
        "catalog_intro": "Tous les labs, dans l'ordre du cours. Chacun est un notebook à faire dans JupyterLab ; "
                         "ses vérifications notent ensuite ce que vous avez construit dans votre cluster. "
                         "Lancez `kubelab labs` pour voir les labs que votre cluster peut exécuter et où vous en êtes.",
        "col_lab": "Lab", "col_time": "Durée", "col_needs": "Prérequis", "col_translation": "Traduction",
        "minutes": "{minutes} min",
        "some_checks": "certaines vérifications : {needs}",
        "after": "après {labs}",
        "original": "original",
        "complete": "complète",
        "percent": "{percent}&nbsp;% traduit",
        "to_review": "{count} à relire",
        "catalog_status_note": "Traduction : la part du texte du lab (leçon, titre, messages des vérifications) "
                               "traduite dans cette langue. Ce qui n'est pas traduit s'affiche en anglais.",
        "cli_title": "La commande kubelab",
        "cli_intro": "Cette page est générée à partir de la commande `kubelab` elle-même : elle lui correspond "
                     "donc toujours. `kubelab --help` et `kubelab COMMANDE --help` affichent la même chose "
                     "dans votre terminal.",
        "usage": "Utilisation", "default": "par défaut",
        "required": "obligatoire", "global_options": "Options de toutes les commandes",
        "exit_codes": "Codes de sortie",
        "exit_OK": "tout va bien : toutes les vérifications passent, rien n'est à corriger",
        "exit_PROBLEM": "un problème a été trouvé : une vérification a échoué, ou le docteur a trouvé "
                        "quelque chose à corriger",
        "exit_CANNOT_RUN": "kubelab n'a pas pu s'exécuter : entrée invalide, pas de cluster, ou une erreur "
                           "qui ne vient pas de vous",
        "exit_INTERRUPTED": "interrompu (Ctrl-C)",
        "exit_INTERNAL": "un bogue de kubelab : une ligne dit ce qui s'est passé et "
                         "quel fichier journal contient les détails",
        "trouble_title": "Dépannage",
        "trouble_intro": "Lancez `kubelab doctor` : il examine votre kubeconfig, l'API server, les nœuds, les "
                         "outils et le backend de votre cluster, puis affiche ce qu'il a trouvé. Cette page liste "
                         "tout ce qu'il peut signaler, générée à partir du docteur lui-même. Chaque entrée porte "
                         "l'identifiant qu'affiche `kubelab doctor --json`.",
        "problems": "Problèmes", "problems_intro": "Quelque chose empêche les labs de fonctionner : à corriger "
                                                   "en premier.",
        "warnings": "Avertissements",
        "warnings_intro": "Les labs fonctionnent, mais certains d'entre eux, ou certaines vérifications, non.",
        "fix": "La solution",
    },
    "it": {
        "code": "Codice", "meaning": "Significato", "option": "Opzione",
        "untranslated": "Questa pagina non è ancora tradotta in italiano: stai leggendo l'originale inglese.",
        "lab_untranslated": "Questo laboratorio non è ancora tradotto: è mostrato in inglese.",
        "lab_partial": "Una parte di questo laboratorio non è ancora tradotta: {count} celle di testo su {total} "
                       "sono mostrate in inglese.",
        "lab_outdated": "L'originale inglese di {count} celle di testo è cambiato dopo la traduzione: "
                        "potrebbero non essere aggiornate.",
        "lab_note": "Questa pagina mostra la lezione. Il laboratorio si fa in JupyterLab (<code>make lab</code>, "
                    "o l'hub della tua classe): le sue celle lavorano sul tuo cluster e i controlli valutano lì "
                    "il tuo lavoro.",
        "catalog_title": "Catalogo dei laboratori",
        "catalog_intro": "Tutti i laboratori, nell'ordine del corso. Ognuno è un notebook da svolgere in "
                         "JupyterLab; poi i suoi controlli valutano ciò che hai costruito nel tuo cluster. "
                         "Esegui `kubelab labs` per vedere quali laboratori può eseguire il tuo cluster e a che "
                         "punto sei.",
        "col_lab": "Laboratorio", "col_time": "Durata", "col_needs": "Requisiti", "col_translation": "Traduzione",
        "minutes": "{minutes} min",
        "some_checks": "alcuni controlli: {needs}",
        "after": "dopo {labs}",
        "original": "originale",
        "complete": "completa",
        "percent": "{percent}% tradotto",
        "to_review": "{count} da rivedere",
        "catalog_status_note": "Traduzione: quanto del testo del laboratorio (lezione, titolo, messaggi dei "
                               "controlli) è tradotto in questa lingua. Ciò che non è tradotto appare in inglese.",
        "cli_title": "Il comando kubelab",
        "cli_intro": "Questa pagina è generata dal comando `kubelab` stesso, quindi gli corrisponde sempre. "
                     "`kubelab --help` e `kubelab COMANDO --help` mostrano lo stesso nel terminale.",
        "usage": "Uso", "default": "predefinito",
        "required": "obbligatorio", "global_options": "Opzioni di tutti i comandi",
        "exit_codes": "Codici di uscita",
        "exit_OK": "tutto a posto: ogni controllo è superato, non c'è niente da correggere",
        "exit_PROBLEM": "è stato trovato un problema: un controllo non è superato, o il doctor ha trovato "
                        "qualcosa da sistemare",
        "exit_CANNOT_RUN": "kubelab non ha potuto funzionare: input errato, nessun cluster, o un errore che "
                           "non dipende da te",
        "exit_INTERRUPTED": "interrotto (Ctrl-C)",
        "exit_INTERNAL": "un bug di kubelab: una riga dice cosa è successo e quale file di log contiene i dettagli",
        "trouble_title": "Risoluzione dei problemi",
        "trouble_intro": "Esegui `kubelab doctor`: esamina il kubeconfig, l'API server, i nodi, gli strumenti e "
                         "il backend del tuo cluster, poi mostra ciò che ha trovato. Questa pagina elenca tutto "
                         "ciò che può segnalare, generata dal doctor stesso. Ogni voce porta l'id che stampa "
                         "`kubelab doctor --json`.",
        "problems": "Problemi", "problems_intro": "Qualcosa impedisce ai laboratori di funzionare: sistemalo "
                                                  "per primo.",
        "warnings": "Avvisi",
        "warnings_intro": "I laboratori funzionano, ma alcuni di essi, o alcuni controlli, no.",
        "fix": "La soluzione",
    },
    "es": {
        "code": "Código", "meaning": "Significado", "option": "Opción",
        "untranslated": "Esta página aún no está traducida al español: estás leyendo el original en inglés.",
        "lab_untranslated": "Este laboratorio aún no está traducido: se muestra en inglés.",
        "lab_partial": "Una parte de este laboratorio aún no está traducida: {count} de {total} celdas de texto "
                       "se muestran en inglés.",
        "lab_outdated": "El original en inglés de {count} celda(s) de texto cambió después de traducirlas: "
                        "pueden estar desactualizadas.",
        "lab_note": "Esta página muestra la lección. El laboratorio se hace en JupyterLab (<code>make lab</code>, "
                    "o el hub de tu clase): sus celdas trabajan sobre tu clúster y sus comprobaciones califican "
                    "allí tu trabajo.",
        "catalog_title": "Catálogo de laboratorios",
        "catalog_intro": "Todos los laboratorios, en el orden del curso. Cada uno es un notebook que haces en "
                         "JupyterLab; después sus comprobaciones califican lo que construiste en tu clúster. "
                         "Ejecuta `kubelab labs` para ver qué laboratorios puede ejecutar tu clúster y cuánto "
                         "llevas hecho.",
        "col_lab": "Laboratorio", "col_time": "Duración", "col_needs": "Requisitos", "col_translation": "Traducción",
        "minutes": "{minutes} min",
        "some_checks": "algunas comprobaciones: {needs}",
        "after": "después de {labs}",
        "original": "original",
        "complete": "completa",
        "percent": "{percent}&nbsp;% traducido",
        "to_review": "{count} por revisar",
        "catalog_status_note": "Traducción: cuánto del texto del laboratorio (lección, título, mensajes de las "
                               "comprobaciones) está traducido a este idioma. Lo que no está traducido aparece "
                               "en inglés.",
        "cli_title": "El comando kubelab",
        "cli_intro": "Esta página se genera a partir del propio comando `kubelab`, así que siempre coincide con "
                     "él. `kubelab --help` y `kubelab COMANDO --help` muestran lo mismo en tu terminal.",
        "usage": "Uso", "default": "por defecto",
        "required": "obligatorio", "global_options": "Opciones de todos los comandos",
        "exit_codes": "Códigos de salida",
        "exit_OK": "todo bien: todas las comprobaciones pasan, no hay nada que corregir",
        "exit_PROBLEM": "se encontró un problema: una comprobación falló, o el doctor encontró algo que arreglar",
        "exit_CANNOT_RUN": "kubelab no pudo ejecutarse: entrada incorrecta, ningún clúster, o un error que no "
                           "es tuyo",
        "exit_INTERRUPTED": "interrumpido (Ctrl-C)",
        "exit_INTERNAL": "un error de kubelab: una línea dice qué pasó y qué archivo "
                         "de registro tiene los detalles",
        "trouble_title": "Solución de problemas",
        "trouble_intro": "Ejecuta `kubelab doctor`: examina tu kubeconfig, el API server, los nodos, las "
                         "herramientas y el backend de tu clúster, y muestra lo que encontró. Esta página enumera "
                         "todo lo que puede señalar, generada a partir del propio doctor. Cada entrada lleva el id "
                         "que imprime `kubelab doctor --json`.",
        "problems": "Problemas", "problems_intro": "Algo impide que los laboratorios funcionen: arréglalo primero.",
        "warnings": "Advertencias",
        "warnings_intro": "Los laboratorios funcionan, pero algunos de ellos, o algunas comprobaciones, no.",
        "fix": "La solución",
    },
}


def text(lang: str, key: str, **params) -> str:
    """The site text ``key`` in ``lang`` (English when missing), filled with ``params``."""
    template = TEXT.get(lang, {}).get(key) or TEXT["en"][key]
    return template.format(**params) if params else template
