import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { catalogues, translator } from '../../src/http/pages/i18n/index.ts';
import { acceptedLanguages, bestLocale, uiLocaleTags } from '../../src/http/pages/locale.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

async function langOf(url: string, acceptLanguage?: string): Promise<string | undefined> {
  const r = await t.app.inject({ method: 'GET', url, headers: acceptLanguage === undefined ? {} : { 'accept-language': acceptLanguage } });
  return /<html lang="([^"]+)">/.exec(r.body)?.[1];
}

describe('page languages', () => {
  it('every catalogue has exactly the English keys, each with a text', () => {
    const keys = Object.keys(catalogues.en ?? {}).sort();
    for (const [locale, messages] of Object.entries(catalogues)) {
      assert.deepEqual(Object.keys(messages).sort(), keys, locale);
      for (const [key, text] of Object.entries(messages)) assert.ok(text.trim() !== '', `${locale} ${key}`);
    }
  });

  it('the accessible names the sign-in pages rely on, in English and German', () => {
    const names = (locale: string) => {
      const t = translator(locale);
      return [
        t('field.email'),
        t('field.password'),
        t('field.code'),
        t('button.signIn'),
        t('button.createAccount'),
        t('button.continue'),
        t('button.allow'),
        t('button.deny'),
      ];
    };
    assert.deepEqual(names('en'), ['Email', 'Password', 'Code', 'Sign in', 'Create account', 'Continue', 'Allow', 'Deny']);
    assert.deepEqual(names('de'), ['E-Mail', 'Passwort', 'Code', 'Anmelden', 'Konto erstellen', 'Weiter', 'Erlauben', 'Ablehnen']);
  });

  it('t() fills placeholders and leaves unknown ones', () => {
    assert.equal(translator('en')('form.errorTitle', { title: 'Sign in' }), 'Error: Sign in');
    assert.equal(translator('en')('form.errorTitle'), 'Error: {title}');
    assert.equal(translator('de')('form.errorTitle', { title: 'Anmelden' }), 'Fehler: Anmelden');
  });

  it('Accept-Language: by quality, q=0 excluded, order kept for equal qualities', () => {
    assert.deepEqual(acceptedLanguages('fr-CH, fr;q=0.9, de;q=0.8, *;q=0.5'), ['fr-CH', 'fr', 'de', '*']);
    assert.deepEqual(acceptedLanguages('en;q=0.2, de'), ['de', 'en']);
    assert.deepEqual(acceptedLanguages('de;q=0, en;q=0.1'), ['en']);
    assert.deepEqual(acceptedLanguages(undefined), []);
    assert.deepEqual(acceptedLanguages(';;,,q=1'), []);
  });

  it('best locale: exact tag, then primary subtag, in order of preference', () => {
    assert.equal(bestLocale(['fr', 'de-AT', 'en']), 'de');
    assert.equal(bestLocale(['EN-gb']), 'en');
    assert.equal(bestLocale(['*', 'fr']), undefined);
    assert.deepEqual(uiLocaleTags('  fr-CA  de '), ['fr-CA', 'de']);
    assert.deepEqual(uiLocaleTags(['de']), []);
  });

  it('negotiation on a page: ui_locales first, then Accept-Language, then English', async () => {
    assert.equal(await langOf('/'), 'en');
    assert.equal(await langOf('/', 'fr-CH, de;q=0.8'), 'de');
    assert.equal(await langOf('/', 'de;q=0, fr'), 'en');
    assert.equal(await langOf('/?ui_locales=fr%20de', 'en'), 'de');
    assert.equal(await langOf('/?ui_locales=en', 'de'), 'en');
    assert.equal(await langOf('/?ui_locales=xx', 'de'), 'de');
    assert.equal(await langOf('/?ui_locales=de&ui_locales=en', 'en'), 'en', 'a repeated parameter is no choice');
  });
});
