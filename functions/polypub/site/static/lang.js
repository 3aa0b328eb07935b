// Remembers the language a reader picks, so that "/" sends them there next time:
// infra/cloudfront/viewer-request.js reads the same "lang" cookie. Pages read fine
// without this file; it is external (no inline script) so the CSP stays strict.
(function () {
    'use strict';
    var COOKIE = 'lang';
    var ONE_YEAR = 60 * 60 * 24 * 365;

    document.addEventListener('click', function (event) {
        var target = event.target;
        var link = target && target.closest ? target.closest('a[data-lang]') : null;
        if (!link) {
            return;
        }
        var lang = link.getAttribute('data-lang');
        // Only a language code ever reaches the cookie.
        if (!/^[a-z]{2,3}$/.test(lang)) {
            return;
        }
        var secure = window.location.protocol === 'https:' ? '; Secure' : '';
        document.cookie = COOKIE + '=' + lang + '; Path=/; Max-Age=' + ONE_YEAR +
            '; SameSite=Lax' + secure;
    });
}());
