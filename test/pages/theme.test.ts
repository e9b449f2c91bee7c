import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formActionSource, pageCsp } from '../../src/http/pages/csp.ts';
import { contrast, inkOf, textOn, themeUrl } from '../../src/http/pages/theme.ts';

const hexColor = fc.integer({ min: 0, max: 0xffffff }).map((value) => `#${value.toString(16).padStart(6, '0')}`);

describe('theme colours keep WCAG AA contrast', () => {
  it('contrast ratios match WCAG for known pairs', () => {
    assert.equal(contrast('#000000', '#ffffff').toFixed(2), '21.00');
    assert.equal(contrast('#777777', '#ffffff').toFixed(2), '4.48');
    assert.equal(contrast('#1d4ed8', '#1d4ed8'), 1);
  });

  it('for any primary colour, its button text reaches 4.5:1 and its ink reaches 4.5:1 on white and on the page grey', () => {
    fc.assert(
      fc.property(hexColor, (color) => {
        assert.ok(contrast(color, textOn(color)) >= 4.5, `${color} with ${textOn(color)}`);
        const ink = inkOf(color);
        assert.ok(contrast(ink, '#ffffff') >= 4.5 && contrast(ink, '#f3f4f6') >= 4.5, `${color} ink ${ink}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('dark colours are their own ink and get white text; light ones get black text and a darker ink', () => {
    assert.equal(textOn('#1d4ed8'), '#ffffff');
    assert.equal(inkOf('#1d4ed8'), '#1d4ed8');
    assert.equal(textOn('#ffe033'), '#000000');
    assert.ok(contrast(inkOf('#ffe033'), '#ffe033') > 1);
    assert.equal(themeUrl(undefined), undefined);
    assert.equal(themeUrl('#1d4ed8'), undefined, 'the default colour needs no theme stylesheet');
    assert.equal(themeUrl('#ffe033'), '/assets/theme/ffe033.css');
  });
});

describe('form-action sources for OAuth redirects', () => {
  it('an http(s) redirect URI adds its origin, a native app its scheme, anything else nothing', () => {
    assert.equal(formActionSource('https://app.example.com:8443/callback?x=1'), 'https://app.example.com:8443');
    assert.equal(formActionSource('http://127.0.0.1:5173/cb'), 'http://127.0.0.1:5173');
    assert.equal(formActionSource('com.example.app:/oauth2redirect'), 'com.example.app:');
    assert.equal(formActionSource('myapp://callback'), 'myapp:');
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,x',
      'blob:https://a.example/1',
      'file:///etc/passwd',
      'not a url',
    ]) {
      assert.equal(formActionSource(bad), undefined, bad);
    }
    // Whatever a URI holds, the source has no space, quote or semicolon to break out of the directive.
    assert.equal(formActionSource("https://a.example/'; script-src *"), 'https://a.example');
    assert.equal(
      pageCsp(['https://app.example.com/cb', 'https://app.example.com/other', 'javascript:alert(1)']),
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' https://app.example.com",
    );
  });
});
