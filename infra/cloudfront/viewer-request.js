// Edge routing for the site (CloudFront Functions, cloudfront-js-2.0, viewer-request).
// template.yaml carries an exact copy: after editing, run scripts/sync-edge-function.
// `polypub dev` runs this same file in node, so local preview routes like CloudFront.
// No export or module code: the runtime is not node, and a function that fails to
// load makes the distribution answer 503 to every request. Tests and the preview
// load it through functions/polypub/local/edge_runner.js instead.

// Site languages; the first is the default. Must equal template.yaml SiteLanguages.
var LANGUAGES = ['es', 'en'];

// Extensions of files the site serves; any other last segment is a directory slug
// (slugs may contain dots, e.g. /en/posts/release.v2 -> /en/posts/release.v2/).
var FILE_EXTENSIONS = ['html', 'xml', 'css', 'js', 'txt', 'png', 'jpg', 'jpeg',
    'gif', 'svg', 'webp', 'ico', 'json', 'pdf'];

function isLanguage(value) {
    return LANGUAGES.indexOf(value) !== -1;
}

// Best site language for an Accept-Language header, or null. Highest q wins, ties
// go to the earlier entry; q=0 means "not this one"; en-GB counts as en.
function fromAcceptLanguage(header) {
    var best = null;
    var bestQ = 0;
    var excluded = [];
    var wildcardQ = 0;
    var entries = header.split(',');
    for (var i = 0; i < entries.length; i++) {
        var params = entries[i].split(';');
        var tag = params[0].trim().toLowerCase();
        var q = 1;
        for (var j = 1; j < params.length; j++) {
            var param = params[j].trim().toLowerCase();
            if (param.indexOf('q=') === 0) {
                q = parseFloat(param.substring(2));
                // A malformed weight is treated as a refusal rather than a preference.
                if (isNaN(q)) {
                    q = 0;
                }
            }
        }
        if (tag === '*') {
            wildcardQ = q;
            continue;
        }
        var base = tag.split('-')[0];
        if (!isLanguage(base)) {
            continue;
        }
        if (q <= 0) {
            if (base === tag) {
                excluded.push(base);
            }
            continue;
        }
        if (q > bestQ) {
            best = base;
            bestQ = q;
        }
    }
    // "*" accepts any language the reader did not refuse, at its own weight.
    if (wildcardQ > bestQ) {
        for (var k = 0; k < LANGUAGES.length; k++) {
            if (excluded.indexOf(LANGUAGES[k]) === -1) {
                return LANGUAGES[k];
            }
        }
    }
    return best;
}

function chooseLanguage(request) {
    var cookie = request.cookies && request.cookies.lang;
    if (cookie && isLanguage(String(cookie.value).toLowerCase())) {
        return String(cookie.value).toLowerCase();
    }
    var header = request.headers && request.headers['accept-language'];
    if (header) {
        var lang = fromAcceptLanguage(String(header.value));
        if (lang) {
            return lang;
        }
    }
    return LANGUAGES[0];
}

// The query string as the viewer sent it (values stay URL-encoded), with its "?".
function queryString(request) {
    var parts = [];
    var query = request.querystring || {};
    for (var name in query) {
        var entry = query[name];
        var values = entry.multiValue ? entry.multiValue : [entry];
        for (var i = 0; i < values.length; i++) {
            var value = values[i].value;
            parts.push(value === '' || value === undefined ? name : name + '=' + value);
        }
    }
    return parts.length ? '?' + parts.join('&') : '';
}

function redirect(statusCode, location, headers) {
    headers.location = { value: location };
    return {
        statusCode: statusCode,
        statusDescription: statusCode === 301 ? 'Moved Permanently' : 'Found',
        headers: headers
    };
}

async function handler(event) {
    var request = event.request;
    var uri = request.uri;

    if (uri === '/') {
        // Depends on who asks, so neither browsers nor shared caches may keep it.
        return redirect(302, '/' + chooseLanguage(request) + '/' + queryString(request), {
            'cache-control': { value: 'private, no-store' },
            'vary': { value: 'Accept-Language, Cookie' }
        });
    }

    if (uri.charAt(uri.length - 1) === '/') {
        request.uri = uri + 'index.html';
        return request;
    }

    var segments = uri.split('/');
    if (!isLanguage(segments[1])) {
        return request;
    }
    var last = segments[segments.length - 1];
    var dot = last.lastIndexOf('.');
    var extension = dot === -1 ? '' : last.substring(dot + 1).toLowerCase();
    if (FILE_EXTENSIONS.indexOf(extension) === -1) {
        return redirect(301, uri + '/' + queryString(request), {});
    }
    return request;
}
