/* carport opener: the service worker of one opened bundle.
 *
 * opener.js registers this script once per opening, with the scope
 * /view/<period>/<party>/<id>/ (<id> random), and shows the site in an
 * iframe under that scope. Every request of that site comes here, and none
 * goes to the network: a file in the scope is asked for, by path, from the
 * opener page that holds the decrypted files (the window at
 * /open/<period>/<party>), over a MessageChannel; anything else is refused.
 *
 * The worker holds nothing: no file, no key, no cache. The browser may stop
 * an idle worker at any time and start it again for the next request, and
 * nothing is lost. When no opener holds <id> any more (Close was pressed,
 * the tab was closed or signed out), the worker answers 404 and unregisters
 * itself, so the view's addresses stop resolving; opener.js also unregisters
 * it on Close.
 */
'use strict';

var scope = new URL(self.registration.scope);
var scopeMatch = /^\/view\/([0-9]{4}-[0-9]{2})\/([A-Za-z0-9_][A-Za-z0-9_-]{0,31})\/([0-9a-f]{32})\/$/.exec(scope.pathname);
var openerPath = scopeMatch ? '/open/' + scopeMatch[1] + '/' + scopeMatch[2] : null;

// How long a request waits for the opener page (a busy page answers in
// milliseconds; a frozen one is treated as gone).
var askTimeout = 20000;

// The site's own policy: its files only (the scope, not the rest of the
// host), no network access, framed only by the opener. ECharts sets style
// attributes, hence style-src-attr; charts may render to data:/blob: images.
var csp = [
	"default-src 'none'",
	'script-src ' + scope.href,
	'style-src ' + scope.href,
	"style-src-attr 'unsafe-inline'",
	'img-src ' + scope.href + ' data: blob:',
	'font-src ' + scope.href,
	"connect-src 'none'",
	"object-src 'none'",
	"base-uri 'none'",
	"form-action 'none'",
	"frame-ancestors 'self'"
].join('; ');

var types = {
	html: 'text/html; charset=utf-8',
	css: 'text/css; charset=utf-8',
	js: 'text/javascript; charset=utf-8',
	json: 'application/json',
	csv: 'text/csv; charset=utf-8',
	txt: 'text/plain; charset=utf-8',
	md: 'text/plain; charset=utf-8',
	minisig: 'text/plain; charset=utf-8',
	pub: 'text/plain; charset=utf-8',
	gz: 'application/gzip',
	zip: 'application/zip',
	svg: 'image/svg+xml',
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	ico: 'image/x-icon',
	woff: 'font/woff',
	woff2: 'font/woff2',
	pdf: 'application/pdf',
	xml: 'application/xml'
};

function contentType(path) {
	var dot = path.lastIndexOf('.');
	var ext = dot < 0 ? '' : path.slice(dot + 1).toLowerCase();
	return Object.prototype.hasOwnProperty.call(types, ext) ? types[ext] : 'application/octet-stream';
}

self.addEventListener('install', function () {
	self.skipWaiting();
});

self.addEventListener('fetch', function (event) {
	var url = new URL(event.request.url);
	if (!openerPath || url.origin !== scope.origin || url.pathname.indexOf(scope.pathname) !== 0) {
		// A page of the site asked for something outside its own files:
		// answered here, so it never reaches the host or anywhere else.
		event.respondWith(plain(404, 'Not part of this bundle.'));
		return;
	}
	event.respondWith(answer(event.request, url));
});

function plain(status, text) {
	return new Response(text + '\n', {
		status: status,
		headers: {
			'Content-Type': 'text/plain; charset=utf-8',
			'Cache-Control': 'no-store',
			'X-Content-Type-Options': 'nosniff',
			'Content-Security-Policy': "default-src 'none'; frame-ancestors 'self'"
		}
	});
}

async function answer(request, url) {
	if (request.method !== 'GET' && request.method !== 'HEAD') {
		return plain(405, 'A bundle opened in the browser can only be read.');
	}
	var rel = url.pathname.slice(scope.pathname.length);
	if (rel === '' || rel.charAt(rel.length - 1) === '/') {
		rel += 'index.html';
	}
	var path;
	try {
		path = rel.split('/').map(decodeURIComponent).join('/');
	} catch (e) {
		return plain(404, 'Not part of this bundle.');
	}
	var got = await ask(path);
	if (got === null) {
		self.registration.unregister();
		return plain(404, 'This view is closed: open the bundle again from the host.');
	}
	if (!got.found) {
		return plain(404, 'Not part of this bundle.');
	}
	return new Response(request.method === 'HEAD' ? null : got.body, {
		status: 200,
		headers: {
			'Content-Type': contentType(path),
			'Content-Length': String(got.body.byteLength),
			'Cache-Control': 'no-store',
			'X-Content-Type-Options': 'nosniff',
			'Referrer-Policy': 'no-referrer',
			'Cross-Origin-Resource-Policy': 'same-origin',
			'X-Frame-Options': 'SAMEORIGIN',
			'Content-Security-Policy': csp
		}
	});
}

// ask asks every opener window of this bundle for path and resolves with
// the first answer from the one that holds this view, or null when none
// does.
async function ask(path) {
	var wins = (await self.clients.matchAll({ type: 'window', includeUncontrolled: true })).filter(function (c) {
		return new URL(c.url).pathname === openerPath;
	});
	if (wins.length === 0) {
		return null;
	}
	return new Promise(function (resolve) {
		var pending = wins.length;
		var done = false;
		var timer = setTimeout(function () { finish(null); }, askTimeout);
		function finish(r) {
			if (!done) {
				done = true;
				clearTimeout(timer);
				resolve(r);
			}
		}
		wins.forEach(function (w) {
			var ch = new MessageChannel();
			ch.port1.onmessage = function (ev) {
				ch.port1.close();
				var r = ev.data;
				if (r && r.held) {
					finish(r);
				} else if (--pending === 0) {
					finish(null);
				}
			};
			w.postMessage({ type: 'carport-view', scope: scope.href, path: path }, [ch.port2]);
		});
	});
}
