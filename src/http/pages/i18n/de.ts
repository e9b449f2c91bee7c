import type { Messages } from './en.ts';

/** German (formal "Sie"). Typed as `Messages`: a missing or extra key is a compile error. */
export const de: Messages = {
  'language.name': 'Deutsch',

  'layout.skipToContent': 'Zum Hauptinhalt springen',
  'layout.languages': 'Sprache',
  'layout.poweredBy': 'Geschützt durch Gatehouse',

  'field.email': 'E-Mail',
  'field.password': 'Passwort',
  'field.code': 'Code',
  'field.optional': '(optional)',

  'button.signIn': 'Anmelden',
  'button.createAccount': 'Konto erstellen',
  'button.continue': 'Weiter',
  'button.allow': 'Erlauben',
  'button.deny': 'Ablehnen',

  'notice.error': 'Fehler',
  'notice.success': 'Erledigt',
  'notice.info': 'Hinweis',
  'notice.passwordChanged': 'Ihr Passwort wurde geändert. Melden Sie sich mit Ihrem neuen Passwort an.',

  'form.errorSummary': 'Es gibt ein Problem',
  'form.errorTitle': 'Fehler: {title}',
  'form.emailMissing': 'Geben Sie Ihre E-Mail-Adresse ein',
  'form.emailInvalid': 'Geben Sie eine gültige E-Mail-Adresse ein, z. B. name@example.com',
  'form.passwordMissing': 'Geben Sie Ihr Passwort ein',
  'form.codeInvalid': 'Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App oder einen Wiederherstellungscode ein',

  'landing.title': 'Anmeldedienst',
  'landing.intro': 'Dieser Server meldet Personen bei Apps an. Er betreibt Gatehouse, einen selbst gehosteten Authentifizierungsserver.',
  'landing.introNamed':
    'Dieser Server meldet Personen bei den Apps von {name} an. Er betreibt Gatehouse, einen selbst gehosteten Authentifizierungsserver.',
  'landing.signIn': 'Bei Ihrem Konto anmelden',
  'landing.developers': 'Für Entwickler',
  'landing.docs': 'API-Referenz',
  'landing.docsDescription': 'Alle Endpunkte dieses Servers mit ihren Anfrage- und Antwortschemas.',
  'landing.discovery': 'OpenID-Connect-Discovery-Dokument',
  'landing.discoveryDescription': 'Aussteller, Schlüssel und Endpunkte, die Client-Bibliotheken lesen.',
  'landing.apis': 'Hier angebotene Auth-APIs',

  'error.requestId': 'Anfrage-ID:',
  'error.home': 'Zur Startseite',
  'error.back': 'Zurück und erneut versuchen',
  'error.badRequest.title': 'Die Anfrage konnte nicht verarbeitet werden',
  'error.badRequest.message': 'In der Anfrage fehlte etwas oder war ungültig. Gehen Sie zurück und versuchen Sie es erneut.',
  'error.unauthorized.title': 'Sie sind nicht angemeldet',
  'error.unauthorized.message': 'Ihre Anmeldung wurde nicht akzeptiert oder ist abgelaufen. Melden Sie sich erneut an, um fortzufahren.',
  'error.forbidden.title': 'Zugriff verweigert',
  'error.forbidden.message': 'Sie haben keine Berechtigung dafür.',
  'error.notFound.title': 'Seite nicht gefunden',
  'error.notFound.message': 'Unter dieser Adresse gibt es keine Seite. Prüfen Sie die Adresse oder beginnen Sie auf der Startseite neu.',
  'error.unknownApp.title': 'Unbekannte Anwendung',
  'error.unknownApp.message': 'Die Anwendung, die Sie hierher geschickt hat, ist bei diesem Server nicht registriert.',
  'error.conflict.title': 'Das war nicht möglich',
  'error.conflict.message': 'Die Anfrage passt nicht zum aktuellen Stand des Kontos. Laden Sie die Seite neu und versuchen Sie es erneut.',
  'error.expiredLink.title': 'Dieser Link ist abgelaufen',
  'error.expiredLink.message': 'Der Link ist nicht mehr gültig oder wurde bereits verwendet. Fordern Sie einen neuen an.',
  'error.rateLimited.title': 'Zu viele Versuche',
  'error.rateLimited.message': 'Warten Sie einige Minuten und versuchen Sie es dann erneut.',
  'error.locked.title': 'Konto vorübergehend gesperrt',
  'error.locked.message': 'Es gab zu viele fehlgeschlagene Versuche. Warten Sie einige Minuten und versuchen Sie es dann erneut.',
  'error.unavailable.title': 'Dienst ausgelastet',
  'error.unavailable.message': 'Der Server ist gerade ausgelastet. Warten Sie einen Moment und versuchen Sie es dann erneut.',
  'error.csrf.title': 'Dieses Formular ist abgelaufen',
  'error.csrf.message':
    'Zu Ihrer Sicherheit wurde das Formular nicht angenommen. Gehen Sie zurück, laden Sie die Seite neu und senden Sie es erneut.',
  'error.internal.title': 'Etwas ist schiefgelaufen',
  'error.internal.message':
    'Der Server konnte die Anfrage nicht abschließen. Versuchen Sie es später erneut. Wenn das Problem bleibt, nennen Sie dem Administrator die Anfrage-ID unten.',
};
