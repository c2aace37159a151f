"""The wording respondents read, in each language we ask in: data only.

Each language has every text of ENGLISH, with the same placeholders; `texts` picks from here
and checks a survey's own wording against it.
"""

# Correct typography in the translations looks like ASCII lookalikes to ruff: Japanese writes
# fullwidth question marks, colons and brackets, German a spaced en dash.
# ruff: noqa: RUF001

from __future__ import annotations

ENGLISH: dict[str, str] = {
    "question": "How likely are you to recommend {product} to a friend or colleague?",
    "low_label": "Not at all likely",
    "high_label": "Extremely likely",
    "followup": "What is the primary reason for your score?",
    "thanks_promoter": "Thank you! We're delighted you would recommend {product}.",
    "thanks_passive": "Thank you for your feedback. We'll use it to make {product} better.",
    "thanks_detractor": (
        "Thank you for your honesty. We're sorry {product} fell short, and we'll work to do better."
    ),
    "your_score": "Your score: {score}",
    "change_score": "Change your score",
    "recorded": "Thank you — your score has been recorded.",
    "comment_placeholder": "Tell us in your own words (optional)",
    "submit": "Send",
    "close": "Close",
    "saved": "Your answers have been saved.",
    "edit_until": "You can change your answers until {date}.",
    "edit_closed": "This survey is closed; your answers can no longer be changed.",
    "answer_required": "Please answer this question.",
    "comment_too_long": ("Your comment is {length} characters long; at most {max} characters fit."),
    "choose_one": "Choose one",
    "choose_any": "Choose any that apply",
    "rating_low": "Poor",
    "rating_high": "Excellent",
    "cta_label": "Write a review",
    "email_subject": "How likely are you to recommend {product}?",
    "reminder_subject": "A quick reminder: how likely are you to recommend {product}?",
    "email_greeting": "Hi {name},",
    "email_greeting_anonymous": "Hello,",
    "email_intro": (
        "We'd love to know what you think of {product}. "
        "Click a number below: one click is all it takes."
    ),
    "email_signature": "Thank you,",
    "unsubscribe_link": "Unsubscribe from these surveys",
    "unsubscribe_title": "Unsubscribe",
    "unsubscribe_question": "Stop receiving survey emails from {product} at {email}?",
    "unsubscribe_button": "Yes, unsubscribe me",
    "unsubscribe_done": (
        "You're unsubscribed. You won't receive survey emails from {product} any more."
    ),
    "not_found": "This link is not valid or has expired.",
    "bad_score": "A score must be a whole number from 0 to 10.",
    "public_intro": "Your answer helps us improve {product}.",
    "already_answered": "You have already answered this survey from this device. Thank you!",
    "rate_limited": "Too many answers from your network. Please try again later.",
    "page_title": "Your feedback on {product}",
}

GERMAN: dict[str, str] = {
    "question": (
        "Wie wahrscheinlich ist es, dass Sie {product} einem Freund oder Kollegen weiterempfehlen?"
    ),
    "low_label": "Überhaupt nicht wahrscheinlich",
    "high_label": "Äußerst wahrscheinlich",
    "followup": "Was ist der wichtigste Grund für Ihre Bewertung?",
    "thanks_promoter": "Vielen Dank! Es freut uns sehr, dass Sie {product} weiterempfehlen würden.",
    "thanks_passive": (
        "Vielen Dank für Ihr Feedback. Wir nutzen es, um {product} noch besser zu machen."
    ),
    "thanks_detractor": (
        "Vielen Dank für Ihre Offenheit. Es tut uns leid, dass {product} Ihre Erwartungen "
        "nicht erfüllt hat. Wir arbeiten daran, besser zu werden."
    ),
    "your_score": "Ihre Bewertung: {score}",
    "change_score": "Bewertung ändern",
    "recorded": "Vielen Dank – Ihre Bewertung wurde gespeichert.",
    "comment_placeholder": "Beschreiben Sie es uns in Ihren eigenen Worten (optional)",
    "submit": "Senden",
    "close": "Schließen",
    "saved": "Ihre Antworten wurden gespeichert.",
    "edit_until": "Sie können Ihre Antworten bis {date} ändern.",
    "edit_closed": (
        "Diese Umfrage ist abgeschlossen; Ihre Antworten können nicht mehr geändert werden."
    ),
    "answer_required": "Bitte beantworten Sie diese Frage.",
    "comment_too_long": (
        "Ihr Kommentar ist {length} Zeichen lang; möglich sind höchstens {max} Zeichen."
    ),
    "choose_one": "Bitte wählen Sie eine Antwort",
    "choose_any": "Mehrfachauswahl möglich",
    "rating_low": "Schlecht",
    "rating_high": "Ausgezeichnet",
    "cta_label": "Bewertung schreiben",
    "email_subject": "Wie wahrscheinlich ist es, dass Sie {product} weiterempfehlen?",
    "reminder_subject": (
        "Kurze Erinnerung: Wie wahrscheinlich ist es, dass Sie {product} weiterempfehlen?"
    ),
    "email_greeting": "Hallo {name},",
    "email_greeting_anonymous": "Guten Tag,",
    "email_intro": (
        "Wir würden gern wissen, was Sie von {product} halten. "
        "Klicken Sie einfach unten auf eine Zahl – ein Klick genügt."
    ),
    # German sign-offs take no comma before the sender's name.
    "email_signature": "Vielen Dank",
    "unsubscribe_link": "Von diesen Umfragen abmelden",
    "unsubscribe_title": "Abmelden",
    "unsubscribe_question": (
        "Möchten Sie keine Umfrage-E-Mails von {product} mehr an {email} erhalten?"
    ),
    "unsubscribe_button": "Ja, abmelden",
    "unsubscribe_done": (
        "Sie wurden abgemeldet. Sie erhalten keine Umfrage-E-Mails von {product} mehr."
    ),
    "not_found": "Dieser Link ist ungültig oder abgelaufen.",
    "bad_score": "Die Bewertung muss eine ganze Zahl von 0 bis 10 sein.",
    "public_intro": "Ihre Antwort hilft uns, {product} zu verbessern.",
    "already_answered": (
        "Sie haben diese Umfrage auf diesem Gerät bereits beantwortet. Vielen Dank!"
    ),
    "rate_limited": (
        "Zu viele Antworten aus Ihrem Netzwerk. Bitte versuchen Sie es später erneut."
    ),
    "page_title": "Ihr Feedback zu {product}",
}

# French puts a no-break space (\u00a0) before ? ! : ; so the mark never starts a line.
FRENCH: dict[str, str] = {
    "question": (
        "Quelle est la probabilité que vous recommandiez {product} à un ami ou à un collègue\u00a0?"
    ),
    "low_label": "Pas du tout probable",
    "high_label": "Extrêmement probable",
    "followup": "Quelle est la principale raison de votre note\u00a0?",
    "thanks_promoter": (
        "Merci\u00a0! Nous sommes ravis de savoir que vous recommanderiez {product}."
    ),
    "thanks_passive": ("Merci pour votre retour. Nous nous en servirons pour améliorer {product}."),
    "thanks_detractor": (
        "Merci pour votre franchise. Nous sommes désolés que {product} n'ait pas été "
        "à la hauteur de vos attentes, et nous allons tout faire pour nous améliorer."
    ),
    "your_score": "Votre note\u00a0: {score}",
    "change_score": "Modifier votre note",
    "recorded": "Merci, votre note a bien été enregistrée.",
    "comment_placeholder": "Dites-nous-en plus avec vos propres mots (facultatif)",
    "submit": "Envoyer",
    "close": "Fermer",
    "saved": "Vos réponses ont bien été enregistrées.",
    "edit_until": "Vous pouvez modifier vos réponses jusqu'au {date}.",
    "edit_closed": (
        "Cette enquête est clôturée\u00a0; vos réponses ne peuvent plus être modifiées."
    ),
    "answer_required": "Veuillez répondre à cette question.",
    "comment_too_long": (
        "Votre commentaire fait {length} caractères\u00a0; la limite est de {max} caractères."
    ),
    "choose_one": "Choisissez une seule réponse",
    "choose_any": "Plusieurs réponses possibles",
    "rating_low": "Médiocre",
    "rating_high": "Excellent",
    "cta_label": "Écrire un avis",
    "email_subject": "Quelle est la probabilité que vous recommandiez {product}\u00a0?",
    "reminder_subject": (
        "Petit rappel\u00a0: quelle est la probabilité que vous recommandiez {product}\u00a0?"
    ),
    "email_greeting": "Bonjour {name},",
    "email_greeting_anonymous": "Bonjour,",
    "email_intro": (
        "Nous aimerions beaucoup savoir ce que vous pensez de {product}. "
        "Cliquez sur une note ci-dessous\u00a0: un seul clic suffit."
    ),
    "email_signature": "Merci,",
    "unsubscribe_link": "Se désabonner de ces enquêtes",
    "unsubscribe_title": "Désabonnement",
    "unsubscribe_question": (
        "Ne plus recevoir les e-mails d'enquête de {product} à l'adresse {email}\u00a0?"
    ),
    "unsubscribe_button": "Oui, me désabonner",
    "unsubscribe_done": (
        "Votre désabonnement a bien été pris en compte. "
        "Vous ne recevrez plus d'e-mails d'enquête de {product}."
    ),
    "not_found": "Ce lien n'est pas valide ou a expiré.",
    "bad_score": "La note doit être un nombre entier de 0 à 10.",
    "public_intro": "Votre réponse nous aide à améliorer {product}.",
    "already_answered": (
        "Vous avez déjà répondu à cette enquête depuis cet appareil. Merci\u00a0!"
    ),
    "rate_limited": ("Trop de réponses proviennent de votre réseau. Veuillez réessayer plus tard."),
    "page_title": "Votre avis sur {product}",
}

SPANISH: dict[str, str] = {
    "question": "¿Qué probabilidad hay de que recomiende {product} a un amigo o colega?",
    "low_label": "Nada probable",
    "high_label": "Extremadamente probable",
    "followup": "¿Cuál es el motivo principal de su puntuación?",
    "thanks_promoter": "¡Gracias! Nos alegra mucho saber que recomendaría {product}.",
    "thanks_passive": (
        "Gracias por sus comentarios. Los tendremos en cuenta para mejorar {product}."
    ),
    "thanks_detractor": (
        "Gracias por su sinceridad. Lamentamos que {product} no haya estado a la altura "
        "de sus expectativas; trabajaremos para mejorar."
    ),
    "your_score": "Su puntuación: {score}",
    "change_score": "Cambiar su puntuación",
    "recorded": "Gracias, hemos registrado su puntuación.",
    "comment_placeholder": "Cuéntenos con sus propias palabras (opcional)",
    "submit": "Enviar",
    "close": "Cerrar",
    "saved": "Sus respuestas se han guardado.",
    "edit_until": "Puede cambiar sus respuestas hasta el {date}.",
    "edit_closed": "Esta encuesta está cerrada; ya no es posible modificar sus respuestas.",
    "answer_required": "Por favor, responda a esta pregunta.",
    "comment_too_long": (
        "Su comentario tiene {length} caracteres; el máximo permitido es de {max} caracteres."
    ),
    "choose_one": "Elija una opción",
    "choose_any": "Elija todas las opciones que correspondan",
    "rating_low": "Deficiente",
    "rating_high": "Excelente",
    "cta_label": "Escribir una reseña",
    "email_subject": "¿Qué probabilidad hay de que recomiende {product}?",
    "reminder_subject": (
        "Un breve recordatorio: ¿qué probabilidad hay de que recomiende {product}?"
    ),
    # Spanish letters open with a colon after the greeting.
    "email_greeting": "Hola, {name}:",
    "email_greeting_anonymous": "Hola:",
    "email_intro": (
        "Nos encantaría saber qué opina de {product}. "
        "Haga clic en un número a continuación: basta con un clic."
    ),
    "email_signature": "Muchas gracias,",
    "unsubscribe_link": "Darse de baja de estas encuestas",
    "unsubscribe_title": "Cancelar suscripción",
    "unsubscribe_question": (
        "¿Desea dejar de recibir correos de encuestas de {product} en {email}?"
    ),
    "unsubscribe_button": "Sí, darme de baja",
    "unsubscribe_done": ("Se ha dado de baja. Ya no recibirá correos de encuestas de {product}."),
    "not_found": "Este enlace no es válido o ha caducado.",
    "bad_score": "La puntuación debe ser un número entero del 0 al 10.",
    "public_intro": "Su respuesta nos ayuda a mejorar {product}.",
    "already_answered": "Ya ha respondido a esta encuesta desde este dispositivo. ¡Gracias!",
    "rate_limited": "Demasiadas respuestas desde su red. Vuelva a intentarlo más tarde.",
    "page_title": "Su opinión sobre {product}",
}

# One text serves Brazil and Portugal, so the wording avoids words and pronoun placement that
# only one side uses ("pesquisa"/"inquérito", "você", "ajuda-nos").
PORTUGUESE: dict[str, str] = {
    "question": "Qual é a probabilidade de recomendar {product} a um amigo ou colega?",
    "low_label": "Nada provável",
    "high_label": "Extremamente provável",
    "followup": "Qual é o principal motivo da sua avaliação?",
    "thanks_promoter": "Obrigado! É um prazer saber que recomendaria {product}.",
    "thanks_passive": ("Obrigado pela sua opinião. Vamos utilizá-la para melhorar {product}."),
    "thanks_detractor": (
        "Obrigado pela sua sinceridade. Lamentamos que {product} não tenha correspondido "
        "às suas expectativas e vamos trabalhar para melhorar."
    ),
    "your_score": "A sua avaliação: {score}",
    "change_score": "Alterar a sua avaliação",
    "recorded": "Obrigado! A sua avaliação foi recebida.",
    "comment_placeholder": "Conte-nos com as suas próprias palavras (opcional)",
    "submit": "Enviar",
    "close": "Fechar",
    "saved": "As suas respostas foram guardadas.",
    "edit_until": "É possível alterar as suas respostas até {date}.",
    "edit_closed": (
        "Este questionário está encerrado; já não é possível alterar as suas respostas."
    ),
    "answer_required": "Por favor, responda a esta pergunta.",
    "comment_too_long": (
        "O seu comentário tem {length} caracteres; o máximo permitido é de {max} caracteres."
    ),
    "choose_one": "Escolha uma opção",
    "choose_any": "Escolha todas as opções aplicáveis",
    "rating_low": "Fraco",
    "rating_high": "Excelente",
    "cta_label": "Escrever uma avaliação",
    "email_subject": "Qual é a probabilidade de recomendar {product}?",
    "reminder_subject": ("Um breve lembrete: qual é a probabilidade de recomendar {product}?"),
    "email_greeting": "Olá, {name},",
    "email_greeting_anonymous": "Olá,",
    "email_intro": (
        "Gostaríamos muito de saber a sua opinião sobre {product}. "
        "Escolha um número abaixo: basta um clique."
    ),
    "email_signature": "Obrigado,",
    "unsubscribe_link": "Deixar de receber estes questionários",
    "unsubscribe_title": "Deixar de receber questionários",
    "unsubscribe_question": (
        "Deseja deixar de receber os e-mails de questionário de {product} no endereço {email}?"
    ),
    "unsubscribe_button": "Sim, quero deixar de receber",
    "unsubscribe_done": (
        "O seu endereço foi removido. Não voltará a receber e-mails de questionário de {product}."
    ),
    "not_found": "Este link não é válido ou expirou.",
    "bad_score": "A avaliação deve ser um número inteiro de 0 a 10.",
    "public_intro": "A sua resposta ajuda a melhorar {product}.",
    "already_answered": "Este questionário já foi respondido neste dispositivo. Obrigado!",
    "rate_limited": ("Foram recebidas muitas respostas da sua rede. Tente novamente mais tarde."),
    "page_title": "A sua opinião sobre {product}",
}

ITALIAN: dict[str, str] = {
    "question": ("Con quale probabilità consiglierebbe {product} a un amico o a un collega?"),
    "low_label": "Per niente probabile",
    "high_label": "Estremamente probabile",
    "followup": "Qual è il motivo principale del suo punteggio?",
    "thanks_promoter": "Grazie! Siamo felici di sapere che consiglierebbe {product}.",
    "thanks_passive": ("Grazie per il suo feedback. Lo utilizzeremo per migliorare {product}."),
    "thanks_detractor": (
        "Grazie per la sua sincerità. Ci dispiace che {product} non abbia soddisfatto "
        "le sue aspettative: faremo il possibile per migliorare."
    ),
    "your_score": "Il suo punteggio: {score}",
    "change_score": "Modifica il punteggio",
    "recorded": "Grazie, il suo punteggio è stato registrato.",
    "comment_placeholder": "Ci racconti con parole sue (facoltativo)",
    "submit": "Invia",
    "close": "Chiudi",
    "saved": "Le sue risposte sono state salvate.",
    "edit_until": "Può modificare le sue risposte fino al {date}.",
    "edit_closed": ("Questo sondaggio è chiuso; non è più possibile modificare le sue risposte."),
    "answer_required": "Per favore, risponda a questa domanda.",
    "comment_too_long": (
        "Il suo commento contiene {length} caratteri; il massimo consentito è {max} caratteri."
    ),
    "choose_one": "Scelga un'opzione",
    "choose_any": "Scelga tutte le opzioni pertinenti",
    "rating_low": "Scarso",
    "rating_high": "Eccellente",
    "cta_label": "Scrivi una recensione",
    "email_subject": "Con quale probabilità consiglierebbe {product}?",
    "reminder_subject": ("Un breve promemoria: con quale probabilità consiglierebbe {product}?"),
    "email_greeting": "Gentile {name},",
    "email_greeting_anonymous": "Buongiorno,",
    "email_intro": (
        "Ci piacerebbe sapere cosa pensa di {product}. "
        "Clicchi su un numero qui sotto: basta un clic."
    ),
    "email_signature": "Grazie,",
    "unsubscribe_link": "Annulla l'iscrizione a questi sondaggi",
    "unsubscribe_title": "Annulla iscrizione",
    "unsubscribe_question": (
        "Vuole smettere di ricevere le e-mail dei sondaggi di {product} all'indirizzo {email}?"
    ),
    "unsubscribe_button": "Sì, annulla l'iscrizione",
    "unsubscribe_done": (
        "L'iscrizione è stata annullata. Non riceverà più e-mail dei sondaggi di {product}."
    ),
    "not_found": "Questo link non è valido o è scaduto.",
    "bad_score": "Il punteggio deve essere un numero intero da 0 a 10.",
    "public_intro": "La sua risposta ci aiuta a migliorare {product}.",
    "already_answered": "Ha già risposto a questo sondaggio da questo dispositivo. Grazie!",
    "rate_limited": "Troppe risposte dalla sua rete. Riprovi più tardi.",
    "page_title": "La sua opinione su {product}",
}

DUTCH: dict[str, str] = {
    "question": (
        "Hoe waarschijnlijk is het dat u {product} zou aanbevelen aan een vriend of collega?"
    ),
    "low_label": "Helemaal niet waarschijnlijk",
    "high_label": "Zeer waarschijnlijk",
    "followup": "Wat is de belangrijkste reden voor uw score?",
    "thanks_promoter": "Bedankt! Wat fijn dat u {product} zou aanbevelen.",
    "thanks_passive": ("Bedankt voor uw feedback. We gebruiken die om {product} te verbeteren."),
    "thanks_detractor": (
        "Bedankt voor uw eerlijkheid. Het spijt ons dat {product} niet aan uw verwachtingen "
        "heeft voldaan. We gaan ermee aan de slag om het beter te doen."
    ),
    "your_score": "Uw score: {score}",
    "change_score": "Uw score wijzigen",
    "recorded": "Bedankt, uw score is geregistreerd.",
    "comment_placeholder": "Vertel het ons in uw eigen woorden (optioneel)",
    "submit": "Verzenden",
    "close": "Sluiten",
    "saved": "Uw antwoorden zijn opgeslagen.",
    "edit_until": "U kunt uw antwoorden tot {date} wijzigen.",
    "edit_closed": ("Deze enquête is gesloten; uw antwoorden kunnen niet meer worden gewijzigd."),
    "answer_required": "Beantwoord deze vraag.",
    "comment_too_long": "Uw opmerking bevat {length} tekens; het maximum is {max} tekens.",
    "choose_one": "Kies één optie",
    "choose_any": "Kies alles wat van toepassing is",
    "rating_low": "Slecht",
    "rating_high": "Uitstekend",
    "cta_label": "Schrijf een review",
    "email_subject": "Hoe waarschijnlijk is het dat u {product} zou aanbevelen?",
    "reminder_subject": (
        "Even een herinnering: hoe waarschijnlijk is het dat u {product} zou aanbevelen?"
    ),
    "email_greeting": "Beste {name},",
    "email_greeting_anonymous": "Hallo,",
    "email_intro": (
        "We horen graag wat u van {product} vindt. "
        "Klik hieronder op een cijfer: één klik is genoeg."
    ),
    "email_signature": "Hartelijk dank,",
    "unsubscribe_link": "Afmelden voor deze enquêtes",
    "unsubscribe_title": "Afmelden",
    "unsubscribe_question": (
        "Wilt u geen enquête-e-mails van {product} meer ontvangen op {email}?"
    ),
    "unsubscribe_button": "Ja, meld mij af",
    "unsubscribe_done": ("U bent afgemeld. U ontvangt geen enquête-e-mails van {product} meer."),
    "not_found": "Deze link is ongeldig of verlopen.",
    "bad_score": "Een score moet een geheel getal van 0 tot en met 10 zijn.",
    "public_intro": "Met uw antwoord helpt u ons {product} te verbeteren.",
    "already_answered": "U hebt deze enquête op dit apparaat al ingevuld. Bedankt!",
    "rate_limited": "Te veel antwoorden vanaf uw netwerk. Probeer het later opnieuw.",
    "page_title": "Uw feedback over {product}",
}

JAPANESE: dict[str, str] = {
    "question": "{product}を友人や同僚に薦める可能性はどのくらいありますか？",
    "low_label": "まったく可能性がない",
    "high_label": "非常に可能性が高い",
    "followup": "そのスコアをつけた一番の理由は何ですか？",
    "thanks_promoter": (
        "ありがとうございます！{product}をお薦めいただけるとのこと、大変うれしく思います。"
    ),
    "thanks_passive": "ご意見ありがとうございます。{product}の改善に役立てさせていただきます。",
    "thanks_detractor": (
        "率直なご意見をありがとうございます。{product}がご期待に沿えず申し訳ございません。"
        "より良いものにできるよう努めてまいります。"
    ),
    "your_score": "あなたのスコア：{score}",
    "change_score": "スコアを変更する",
    "recorded": "ありがとうございます。スコアを記録しました。",
    "comment_placeholder": "ご自由にお書きください（任意）",
    "submit": "送信",
    "close": "閉じる",
    "saved": "回答を保存しました。",
    "edit_until": "{date}まで回答を変更できます。",
    "edit_closed": "このアンケートは終了しました。回答を変更することはできません。",
    "answer_required": "この質問にお答えください。",
    "comment_too_long": "コメントは{length}文字です。{max}文字以内で入力してください。",
    "choose_one": "1つ選択してください",
    "choose_any": "当てはまるものをすべて選択してください",
    "rating_low": "悪い",
    "rating_high": "非常に良い",
    "cta_label": "レビューを書く",
    "email_subject": "{product}をお薦めいただける可能性はどのくらいありますか？",
    "reminder_subject": (
        "【リマインダー】{product}をお薦めいただける可能性はどのくらいありますか？"
    ),
    # Japanese emails address the reader as "<name>様" on a line of its own, without a comma.
    "email_greeting": "{name}様",
    "email_greeting_anonymous": "お客様",
    "email_intro": (
        "{product}についてのご意見をぜひお聞かせください。"
        "下の数字をクリックするだけで回答できます。"
    ),
    # The customary closing line before the sender's name.
    "email_signature": "よろしくお願いいたします。",
    "unsubscribe_link": "これらのアンケートの配信を停止する",
    "unsubscribe_title": "配信停止",
    "unsubscribe_question": "{email}宛ての{product}からのアンケートメールの配信を停止しますか？",
    "unsubscribe_button": "はい、配信を停止します",
    "unsubscribe_done": (
        "配信を停止しました。今後、{product}からアンケートメールが届くことはありません。"
    ),
    "not_found": "このリンクは無効か、有効期限が切れています。",
    "bad_score": "スコアは0から10までの整数で指定してください。",
    "public_intro": "ご回答は{product}の改善に役立てさせていただきます。",
    "already_answered": (
        "このデバイスからはすでにご回答いただいています。ありがとうございました。"
    ),
    "rate_limited": (
        "お使いのネットワークからの回答が多すぎます。しばらくしてから再度お試しください。"
    ),
    "page_title": "{product}についてのご意見",
}

# Modern Standard Arabic. Counts are phrased as "number of characters: N" because the noun after
# a numeral changes form with the number, which a fixed text cannot follow.
ARABIC: dict[str, str] = {
    "question": "ما مدى احتمال أن ترشّح {product} لصديق أو زميل؟",
    "low_label": "غير محتمل إطلاقًا",
    "high_label": "محتمل للغاية",
    "followup": "ما السبب الرئيسي وراء تقييمك؟",
    "thanks_promoter": "شكرًا لك! يسعدنا كثيرًا استعدادك لترشيح {product}.",
    "thanks_passive": "شكرًا لك على ملاحظاتك. سنستفيد منها في تحسين {product}.",
    "thanks_detractor": (
        "شكرًا لك على صراحتك. نأسف لأن {product} لم يرقَ إلى مستوى توقعاتك، "
        "وسنعمل جاهدين على التحسين."
    ),
    "your_score": "تقييمك: {score}",
    "change_score": "تغيير تقييمك",
    "recorded": "شكرًا لك، تم تسجيل تقييمك.",
    "comment_placeholder": "أخبرنا بكلماتك الخاصة (اختياري)",
    "submit": "إرسال",
    "close": "إغلاق",
    "saved": "تم حفظ إجاباتك.",
    "edit_until": "يمكنك تغيير إجاباتك حتى {date}.",
    "edit_closed": "هذا الاستطلاع مغلق؛ لم يعد بالإمكان تغيير إجاباتك.",
    "answer_required": "يُرجى الإجابة عن هذا السؤال.",
    "comment_too_long": "عدد أحرف تعليقك {length}، بينما الحد الأقصى المسموح به هو {max}.",
    "choose_one": "اختر إجابة واحدة",
    "choose_any": "اختر كل ما ينطبق",
    "rating_low": "ضعيف",
    "rating_high": "ممتاز",
    "cta_label": "اكتب مراجعة",
    "email_subject": "ما مدى احتمال أن ترشّح {product} للآخرين؟",
    "reminder_subject": "تذكير سريع: ما مدى احتمال أن ترشّح {product} للآخرين؟",
    "email_greeting": "مرحبًا {name}،",
    "email_greeting_anonymous": "مرحبًا،",
    "email_intro": (
        "يسعدنا أن نعرف رأيك في {product}. انقر على أحد الأرقام أدناه: نقرة واحدة تكفي."
    ),
    "email_signature": "شكرًا لك،",
    "unsubscribe_link": "إلغاء الاشتراك في هذه الاستطلاعات",
    "unsubscribe_title": "إلغاء الاشتراك",
    "unsubscribe_question": (
        "هل تريد التوقف عن تلقي رسائل الاستطلاعات من {product} على العنوان {email}؟"
    ),
    "unsubscribe_button": "نعم، ألغِ اشتراكي",
    "unsubscribe_done": "تم إلغاء اشتراكك. لن تتلقى بعد الآن رسائل استطلاعات من {product}.",
    "not_found": "هذا الرابط غير صالح أو انتهت صلاحيته.",
    "bad_score": "يجب أن يكون التقييم عددًا صحيحًا من 0 إلى 10.",
    "public_intro": "تساعدنا إجابتك على تحسين {product}.",
    "already_answered": "لقد أجبت عن هذا الاستطلاع من هذا الجهاز من قبل. شكرًا لك!",
    "rate_limited": ("عدد الإجابات الواردة من شبكتك كبير جدًا. يُرجى المحاولة مرة أخرى لاحقًا."),
    "page_title": "رأيك في {product}",
}
