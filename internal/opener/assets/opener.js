/* carport opener: opens a party's sealed bundle in this browser tab.
 *
 * It does in the browser what `carport open` does on disk, check for check
 * (internal/bundle/open.go is the reference), and shows the site from
 * memory:
 *
 *  1. The identity file the user chooses is read here and never leaves the
 *     page: it is not uploaded, stored or remembered (the file input is
 *     cleared as soon as it is read).
 *  2. The bundle's signature and the bundle are fetched from the host. The
 *     signature must be by the DCC key served with this page (minisign,
 *     Ed25519 over the BLAKE2b-512 of the ciphertext, hashed while it
 *     downloads), and its signed (trusted) comment must name the party and
 *     period asked for. Only then is anything decrypted.
 *  3. The age ciphertext is decrypted as a stream into one buffer; its
 *     sha256 must be the zip_sha256 the signature names.
 *  4. The zip is read through its central directory (our own reader, so
 *     every check of carport open can be made: unsafe or duplicate names,
 *     names equal but for case, a name that is both a file and a folder,
 *     non-regular entries, encrypted or overlapping entries, manifest.json
 *     and its signature first), manifest.json is decoded strictly, its own
 *     signature checked, both signatures must speak of the same party and
 *     period, the limits below are checked from the signed manifest, and
 *     every file is inflated (never past the size the manifest gives) and
 *     its sha256 compared.
 *  5. Only when every file matched is the site shown: a service worker
 *     registered for /view/<period>/<party>/<random id>/ answers the site's
 *     requests by asking this page for the bytes (see sw.js), so nothing of
 *     the plaintext is sent anywhere, written to disk or kept when the tab
 *     closes. Close drops it at once and unregisters the worker.
 *
 * Any failure is a refusal: one sentence on the page, nothing shown.
 */
(function () {
	'use strict';

	var V = globalThis.carportVendor;
	var root = document.getElementById('opener');
	if (!root) {
		return;
	}
	var cfg = {
		period: root.dataset.period,
		party: root.dataset.party,
		bundle: root.dataset.bundle,
		signature: root.dataset.signature,
		key: root.dataset.key
	};
	var el = {
		form: document.getElementById('open-form'),
		input: document.getElementById('identity'),
		status: document.getElementById('status'),
		progress: document.getElementById('progress'),
		refusal: document.getElementById('refusal'),
		sentence: document.getElementById('refusal-sentence'),
		detail: document.getElementById('refusal-detail'),
		viewer: document.getElementById('viewer'),
		frameBox: document.getElementById('frame-box'),
		close: document.getElementById('close'),
		save: document.getElementById('save'),
		summary: document.getElementById('summary')
	};

	// Limits, as carport open's (bundle.DefaultLimits) but for memory: the
	// whole site is held in this tab, so bundles that expand past maxBytes
	// are left to carport open.
	var limits = { maxBytes: 1 << 30, maxFiles: 200000, maxRatio: 200 };
	var ratioFloor = 1 << 20;
	var maxSignature = 4 << 10;
	var maxManifest = 64 << 20;
	var maxIdentity = 64 << 10;
	var manifestName = 'manifest.json';
	var signatureName = 'manifest.json.minisig';

	var say = {
		noIdentity: 'That file is not an age identity file: choose the file that holds your party\u2019s secret key (a line starting AGE-SECRET-KEY-).',
		wrongIdentity: 'This identity file does not open this bundle: it was sealed to other keys. Choose the identity file of party ' + cfg.party + '.',
		unsigned: 'This bundle is not signed by the DCC, so it is refused and nothing is shown.',
		otherKey: 'This bundle is signed by another key than the DCC\u2019s, so it is refused and nothing is shown.',
		tampered: 'This bundle was changed after the DCC signed it, so it is refused and nothing is shown.',
		damaged: 'This bundle is damaged or incomplete, so it is refused and nothing is shown: download it again, or tell the DCC.',
		unsafe: 'This bundle holds a file the opener does not accept, so it is refused and nothing is shown.',
		tooLarge: 'This bundle is too large to open in a browser tab: download it and open it with carport open.',
		fetchFailed: 'The bundle could not be downloaded from the host (your session may have ended): reload the page to try again.',
		noSupport: 'This browser cannot show a bundle from memory (it lacks service workers or WebCrypto): download it and open it with carport open.'
	};
	function mismatch(a, b) {
		return 'This bundle is signed for party ' + a.party + ', period ' + a.period + ', but its manifest says party ' +
			b.party + ', period ' + b.period + ', so it is refused and nothing is shown.';
	}
	function notAsked(c) {
		return 'This bundle is signed for party ' + c.party + ', period ' + c.period + ', not for party ' + cfg.party +
			', period ' + cfg.period + ', so it is refused and nothing is shown.';
	}

	// A Refusal is what the page says: a sentence for the reader and the
	// technical detail behind it (shown under "Details").
	function Refusal(sentence, detail) {
		this.sentence = sentence;
		this.detail = detail || '';
	}

	var enc = new TextEncoder();
	var utf8 = new TextDecoder('utf-8', { fatal: true });

	// current is the opened bundle: its files (path -> Uint8Array, each its
	// own buffer), the zip, the view's scope and service worker registration.
	var current = null;
	var busy = false;

	// ---- the page -------------------------------------------------------

	function setStatus(text, fraction) {
		el.status.textContent = text;
		if (fraction === undefined || fraction === null) {
			el.progress.hidden = true;
		} else {
			el.progress.hidden = false;
			el.progress.value = Math.max(0, Math.min(1, fraction));
		}
	}

	function refuse(r) {
		el.progress.hidden = true;
		el.status.textContent = '';
		el.sentence.textContent = r.sentence;
		el.detail.textContent = r.detail;
		el.detail.parentElement.hidden = r.detail === '';
		el.refusal.hidden = false;
	}

	function mb(n) {
		return (n / 1e6).toFixed(1) + ' MB';
	}

	// pause lets the page paint the progress now and then during long work.
	var lastPause = 0;
	var pauseChannel = new MessageChannel();
	var pauseWaiters = [];
	pauseChannel.port1.onmessage = function () {
		var w = pauseWaiters.shift();
		if (w) {
			w();
		}
	};
	function pause(force) {
		var now = performance.now();
		if (!force && now - lastPause < 50) {
			return Promise.resolve();
		}
		lastPause = now;
		return new Promise(function (resolve) {
			pauseWaiters.push(resolve);
			pauseChannel.port2.postMessage(0);
		});
	}

	el.form.addEventListener('submit', function (ev) {
		ev.preventDefault();
		var file = el.input.files && el.input.files[0];
		if (file && !busy) {
			start(file);
		}
	});
	el.input.addEventListener('change', function () {
		var file = el.input.files && el.input.files[0];
		if (file && !busy) {
			start(file);
		}
	});
	el.close.addEventListener('click', function () {
		closeView('Closed: the decrypted site was dropped from this tab\u2019s memory.');
	});
	el.save.addEventListener('click', saveZip);
	// Leaving the page (another page, sign-out, closing the tab) drops the
	// plaintext too; the worker unregisters itself if this cannot finish.
	window.addEventListener('pagehide', function () {
		closeView('');
	});

	if (!('serviceWorker' in navigator) || !window.crypto || !crypto.subtle || !V) {
		refuse(new Refusal(say.noSupport));
		el.input.disabled = true;
		return;
	}
	navigator.serviceWorker.addEventListener('message', answerWorker);
	navigator.serviceWorker.startMessages();
	root.dataset.ready = 'yes';

	async function start(file) {
		busy = true;
		el.input.disabled = true;
		el.refusal.hidden = true;
		await closeView('');
		var t0 = performance.now();
		try {
			var site = await openBundle(file);
			await show(site, t0);
		} catch (e) {
			var r = e instanceof Refusal ? e : new Refusal(say.damaged, String(e && e.message || e));
			refuse(r);
		} finally {
			busy = false;
			el.input.disabled = false;
		}
	}

	// ---- opening --------------------------------------------------------

	// timings records how long each stage took (ms), for the page's
	// summary and the tests' measurements.
	var timings = {};
	var stageStart = 0;
	function stage(name) {
		var now = performance.now();
		if (stageStart && timings.current) {
			timings[timings.current] = Math.round(now - stageStart);
		}
		timings.current = name;
		stageStart = now;
	}

	async function openBundle(file) {
		timings = {};
		stage('identity');
		setStatus('Reading your identity file\u2026', null);
		var identities = await readIdentities(file);
		el.input.value = '';

		stage('signature');
		setStatus('Downloading the DCC signature\u2026', null);
		var key = parsePublicKey(cfg.key);
		var sigText = await fetchSignature();
		var sig = parseSignature(sigText, 'the bundle\u2019s signature');
		checkKeyID(sig, key);

		stage('download');
		var got = await fetchBundle();
		stage('verify');
		setStatus('Checking the DCC signature\u2026', null);
		if (!verify(sig, got.digest, key)) {
			throw new Refusal(say.tampered, 'the signature does not verify over the downloaded bundle');
		}
		var claim = parseClaim(sig.trusted);
		if (claim.party !== cfg.party || claim.period !== cfg.period) {
			throw new Refusal(notAsked(claim), 'trusted comment: ' + clip(sig.trusted));
		}

		stage('decrypt');
		var zip = await decrypt(got.chunks, got.size, identities);
		got = null;
		stage('zip_sha256');
		setStatus('Checking the zip against the signature\u2026', null);
		var zipSum = await sha256(zip);
		if (zipSum !== claim.zipSHA256) {
			throw new Refusal(say.tampered, 'the zip inside has sha256 ' + zipSum.slice(0, 12) + '\u2026, the DCC signed ' + claim.zipSHA256.slice(0, 12) + '\u2026');
		}
		stage('unzip');
		var site = await checkZip(zip, key, claim);
		site.zip = zip;
		stage('view');
		return site;
	}

	async function readIdentities(file) {
		if (file.size > maxIdentity) {
			throw new Refusal(say.noIdentity, 'the file is larger than ' + maxIdentity + ' bytes');
		}
		var text;
		try {
			text = utf8.decode(new Uint8Array(await file.arrayBuffer()));
		} catch (e) {
			throw new Refusal(say.noIdentity, 'the file is not text');
		}
		var d = new V.Decrypter();
		var n = 0;
		var lines = text.split('\n');
		for (var i = 0; i < lines.length; i++) {
			var line = lines[i].trim();
			if (line === '' || line.charAt(0) === '#') {
				continue;
			}
			if (line.indexOf('AGE-SECRET-KEY-') !== 0) {
				throw new Refusal(say.noIdentity, 'line ' + (i + 1) + ' is not an age secret key');
			}
			try {
				d.addIdentity(line);
			} catch (e) {
				// never echo the line: it is a secret
				throw new Refusal(say.noIdentity, 'line ' + (i + 1) + ' is not a valid age secret key');
			}
			n++;
		}
		if (n === 0) {
			throw new Refusal(say.noIdentity, 'no secret key in the file');
		}
		return d;
	}

	async function fetchSignature() {
		var res;
		try {
			res = await fetch(cfg.signature, { credentials: 'same-origin', cache: 'no-store', redirect: 'error' });
		} catch (e) {
			throw new Refusal(say.fetchFailed, String(e.message || e));
		}
		if (res.status === 404) {
			// no signature, or no access at all (signed out meanwhile):
			// only a bundle that is there without its signature is unsigned
			var head = null;
			try {
				head = await fetch(cfg.bundle, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store', redirect: 'error' });
			} catch (e) {
				// answered below
			}
			if (!head || !head.ok) {
				throw new Refusal(say.fetchFailed, 'the host answered ' + (head ? head.status : 'nothing') + ' for the bundle and 404 for its signature');
			}
			throw new Refusal(say.unsigned, 'the host has no signature beside the bundle');
		}
		if (!res.ok) {
			throw new Refusal(say.fetchFailed, 'the host answered ' + res.status + ' for the signature');
		}
		var b = new Uint8Array(await res.arrayBuffer());
		if (b.length > maxSignature) {
			throw new Refusal(say.unsigned, 'the signature file is larger than ' + maxSignature + ' bytes');
		}
		try {
			return utf8.decode(b);
		} catch (e) {
			throw new Refusal(say.unsigned, 'the signature file is not text');
		}
	}

	// fetchBundle downloads the ciphertext into chunks, hashing it with
	// BLAKE2b-512 as it arrives (minisign's pre-hash).
	async function fetchBundle() {
		setStatus('Downloading the bundle\u2026', 0);
		var res;
		try {
			res = await fetch(cfg.bundle, { credentials: 'same-origin', cache: 'no-store', redirect: 'error' });
		} catch (e) {
			throw new Refusal(say.fetchFailed, String(e.message || e));
		}
		if (!res.ok || !res.body) {
			throw new Refusal(say.fetchFailed, 'the host answered ' + res.status + ' for the bundle');
		}
		var total = Number(res.headers.get('Content-Length')) || 0;
		if (total > limits.maxBytes) {
			throw new Refusal(say.tooLarge, mb(total) + ', more than the browser limit of ' + mb(limits.maxBytes));
		}
		var h = V.blake2b.create({ dkLen: 64 });
		var chunks = [];
		var n = 0;
		var reader = res.body.getReader();
		for (;;) {
			var step = await reader.read();
			if (step.done) {
				break;
			}
			var c = step.value;
			n += c.length;
			if (n > limits.maxBytes) {
				reader.cancel();
				throw new Refusal(say.tooLarge, 'more than the browser limit of ' + mb(limits.maxBytes));
			}
			h.update(c);
			chunks.push(c);
			setStatus('Downloading the bundle\u2026 ' + mb(n) + (total ? ' of ' + mb(total) : ''), total ? n / total : null);
			await pause();
		}
		if (total && n !== total) {
			throw new Refusal(say.fetchFailed, 'got ' + n + ' bytes of ' + total);
		}
		return { chunks: chunks, size: n, digest: h.digest() };
	}

	// decrypt decrypts the chunks as a stream into one buffer of the exact
	// plaintext size.
	async function decrypt(chunks, size, decrypter) {
		setStatus('Decrypting\u2026', 0);
		var i = 0;
		var input = new ReadableStream({
			pull: function (ctl) {
				if (i < chunks.length) {
					ctl.enqueue(chunks[i]);
					chunks[i++] = null;
				} else {
					ctl.close();
				}
			}
		}, { highWaterMark: 0 });
		var out;
		try {
			out = await decrypter.decrypt(input);
		} catch (e) {
			var m = String(e && e.message || e);
			if (m.indexOf('no identity matched') >= 0) {
				throw new Refusal(say.wrongIdentity, 'no key in the identity file matches the bundle\u2019s recipients');
			}
			throw new Refusal(say.damaged, 'not a readable age file: ' + m);
		}
		var want;
		try {
			want = out.size(size);
		} catch (e) {
			throw new Refusal(say.damaged, 'the bundle has an impossible size');
		}
		var zip = new Uint8Array(want);
		var n = 0;
		var reader = out.getReader();
		try {
			for (;;) {
				var step = await reader.read();
				if (step.done) {
					break;
				}
				if (n + step.value.length > want) {
					throw new Error('more plaintext than the bundle\u2019s size allows');
				}
				zip.set(step.value, n);
				n += step.value.length;
				setStatus('Decrypting\u2026 ' + mb(n) + ' of ' + mb(want), n / want);
				await pause();
			}
		} catch (e) {
			throw new Refusal(say.damaged, 'decrypting failed after ' + n + ' bytes: ' + String(e && e.message || e));
		}
		if (n !== want) {
			throw new Refusal(say.damaged, 'decrypting ended after ' + n + ' of ' + want + ' bytes');
		}
		return zip;
	}

	// ---- minisign -------------------------------------------------------

	function b64(s) {
		var bin;
		try {
			bin = atob(s.replace(/[\r\n]/g, ''));
		} catch (e) {
			return null;
		}
		var b = new Uint8Array(bin.length);
		for (var i = 0; i < bin.length; i++) {
			b[i] = bin.charCodeAt(i);
		}
		return b;
	}

	// parsePublicKey reads the bare base64 minisign key: "Ed", the key id
	// (8 bytes, little-endian) and the Ed25519 key.
	function parsePublicKey(text) {
		var b = b64(String(text || '').trim());
		if (!b || b.length !== 42 || b[0] !== 0x45 || b[1] !== 0x64) {
			throw new Refusal(say.unsigned, 'the page carries no valid DCC public key');
		}
		return { id: b.subarray(2, 10), key: b.subarray(10) };
	}

	// parseSignature reads a minisign signature: untrusted comment, the
	// signature (algorithm, key id, 64 bytes), trusted comment, and the
	// global signature over the signature and the trusted comment.
	function parseSignature(text, what) {
		var parts = text.split('\n');
		if (parts.length < 4) {
			throw new Refusal(say.unsigned, what + ' is not a minisign signature');
		}
		var rest = parts.slice(3).join('\n');
		var untrusted = parts[0].replace(/\r$/, '');
		var trusted = parts[2].replace(/\r$/, '');
		var sig = b64(parts[1]);
		var global = b64(rest);
		if (untrusted.indexOf('untrusted comment: ') !== 0 || trusted.indexOf('trusted comment: ') !== 0 ||
			!sig || sig.length !== 74 || !global || global.length !== 64) {
			throw new Refusal(say.unsigned, what + ' is not a minisign signature');
		}
		// "ED": Ed25519 over the BLAKE2b-512 of the file (minisign's
		// default, and the only kind carport makes)
		if (sig[0] !== 0x45 || sig[1] !== 0x44) {
			throw new Refusal(say.unsigned, what + ' is not a pre-hashed (ED) minisign signature');
		}
		return { id: sig.subarray(2, 10), sig: sig.subarray(10), trusted: trusted.slice('trusted comment: '.length), global: global };
	}

	function checkKeyID(sig, key) {
		for (var i = 0; i < 8; i++) {
			if (sig.id[i] !== key.id[i]) {
				throw new Refusal(say.otherKey, 'signed by key ' + keyID(sig.id) + ', not by the DCC key ' + keyID(key.id));
			}
		}
	}

	function keyID(id) {
		var s = '';
		for (var i = 7; i >= 0; i--) {
			s += (id[i] < 16 ? '0' : '') + id[i].toString(16);
		}
		return s.replace(/^0+/, '').toUpperCase();
	}

	// verify checks both Ed25519 signatures (strict RFC 8032 rules, as Go's
	// crypto/ed25519) given the BLAKE2b-512 of the signed file.
	function verify(sig, digest, key) {
		var trusted = enc.encode(sig.trusted);
		var global = new Uint8Array(64 + trusted.length);
		global.set(sig.sig, 0);
		global.set(trusted, 64);
		try {
			return V.ed25519.verify(sig.sig, digest, key.key, { zip215: false }) &&
				V.ed25519.verify(sig.global, global, key.key, { zip215: false });
		} catch (e) {
			return false;
		}
	}

	// parseClaim reads the outer signature's trusted comment:
	// "carport-bundle period:P party:X zip_sha256:H".
	function parseClaim(s) {
		var f = s.split(/[ \t]+/).filter(function (x) { return x !== ''; });
		var c = { period: '', party: '', zipSHA256: '' };
		if (f.length === 4 && f[0] === 'carport-bundle') {
			for (var i = 1; i < 4; i++) {
				var j = f[i].indexOf(':');
				var k = j < 0 ? f[i] : f[i].slice(0, j);
				var v = j < 0 ? '' : f[i].slice(j + 1);
				if (k === 'period') {
					c.period = v;
				} else if (k === 'party') {
					c.party = v;
				} else if (k === 'zip_sha256') {
					c.zipSHA256 = v;
				}
			}
		}
		if (c.period === '' || c.party === '' || !/^[0-9a-f]{64}$/.test(c.zipSHA256)) {
			throw new Refusal(say.tampered, 'trusted comment ' + JSON.stringify(clip(s)) + ' is not a carport bundle\u2019s');
		}
		return c;
	}

	function clip(s) {
		return s.length > 80 ? s.slice(0, 80) + '\u2026' : s;
	}

	async function sha256(b) {
		var d = new Uint8Array(await crypto.subtle.digest('SHA-256', b));
		var s = '';
		for (var i = 0; i < d.length; i++) {
			s += (d[i] < 16 ? '0' : '') + d[i].toString(16);
		}
		return s;
	}

	// ---- the zip --------------------------------------------------------

	function u16(b, o) {
		return b[o] | (b[o + 1] << 8);
	}
	function u32(b, o) {
		return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
	}
	function unsafe(detail) {
		return new Refusal(say.unsafe, detail);
	}

	// checkName mirrors bundle.checkName: a relative slash-separated path,
	// no empty, "." or ".." element, no leading or trailing slash, no
	// backslash or colon.
	function nameProblem(name) {
		if (name === '' || /[\\:]/.test(name)) {
			return 'unsafe path ' + JSON.stringify(name);
		}
		var segs = name.split('/');
		for (var i = 0; i < segs.length; i++) {
			if (segs[i] === '' || segs[i] === '.' || segs[i] === '..') {
				return 'unsafe path ' + JSON.stringify(name);
			}
		}
		return '';
	}

	function byteCompare(a, b) {
		var x = enc.encode(a);
		var y = enc.encode(b);
		for (var i = 0; i < x.length && i < y.length; i++) {
			if (x[i] !== y[i]) {
				return x[i] - y[i];
			}
		}
		return x.length - y.length;
	}

	// readDirectory reads the zip's end record and central directory, and
	// each entry's local header (for where its data starts).
	function readDirectory(zip) {
		var n = zip.length;
		var eocd = -1;
		for (var i = n - 22; i >= 0 && i >= n - 22 - 65535; i--) {
			if (u32(zip, i) === 0x06054b50) {
				eocd = i;
				break;
			}
		}
		if (eocd < 0) {
			throw unsafe('not a zip: no end of central directory');
		}
		var count = u16(zip, eocd + 10);
		var cdSize = u32(zip, eocd + 12);
		var cdOff = u32(zip, eocd + 16);
		if (u16(zip, eocd + 4) !== 0 || u16(zip, eocd + 6) !== 0 || u16(zip, eocd + 8) !== count ||
			eocd + 22 + u16(zip, eocd + 20) !== n) {
			throw unsafe('not a single-part zip');
		}
		if (count === 0xffff || cdSize === 0xffffffff || cdOff === 0xffffffff) {
			throw new Refusal(say.tooLarge, 'a zip64 archive');
		}
		if (cdOff + cdSize > eocd) {
			throw unsafe('the central directory lies outside the zip');
		}
		if (count > limits.maxFiles + 2) {
			throw new Refusal(say.tooLarge, count + ' zip entries, more than the limit of ' + limits.maxFiles);
		}
		var entries = [];
		var p = cdOff;
		for (var k = 0; k < count; k++) {
			if (p + 46 > cdOff + cdSize || u32(zip, p) !== 0x02014b50) {
				throw unsafe('damaged central directory at entry ' + k);
			}
			var madeBy = u16(zip, p + 4) >> 8;
			var flags = u16(zip, p + 8);
			var method = u16(zip, p + 10);
			var csize = u32(zip, p + 20);
			var usize = u32(zip, p + 24);
			var nlen = u16(zip, p + 28);
			var xlen = u16(zip, p + 30);
			var clen = u16(zip, p + 32);
			var ext = u32(zip, p + 38);
			var loff = u32(zip, p + 42);
			if (p + 46 + nlen + xlen + clen > cdOff + cdSize) {
				throw unsafe('damaged central directory at entry ' + k);
			}
			var raw = zip.subarray(p + 46, p + 46 + nlen);
			var name;
			try {
				name = utf8.decode(raw);
			} catch (e) {
				throw unsafe('zip entry refused: a name that is not UTF-8');
			}
			p += 46 + nlen + xlen + clen;
			if (csize === 0xffffffff || usize === 0xffffffff || loff === 0xffffffff) {
				throw new Refusal(say.tooLarge, name + ': a zip64 entry');
			}
			if (flags & 1) {
				throw unsafe(name + ': zip entry refused: encrypted');
			}
			if (method !== 0 && method !== 8) {
				throw unsafe(name + ': zip entry refused: compression method ' + method);
			}
			// regular files only, as Go's FileHeader.Mode() reads the
			// attributes
			var regular = true;
			if (madeBy === 3 || madeBy === 19) {
				var type = (ext >>> 16) & 0xf000;
				regular = type === 0 || type === 0x8000;
			} else if (madeBy === 0 || madeBy === 11 || madeBy === 14) {
				regular = (ext & 0x10) === 0;
			}
			if (!regular || name.charAt(name.length - 1) === '/') {
				throw unsafe(name + ': zip entry refused: not a regular file');
			}
			if (loff + 30 > cdOff || u32(zip, loff) !== 0x04034b50) {
				throw unsafe(name + ': zip entry refused: no local header');
			}
			var lnlen = u16(zip, loff + 26);
			var lxlen = u16(zip, loff + 28);
			var start = loff + 30 + lnlen + lxlen;
			if (lnlen !== nlen || start + csize > cdOff) {
				throw unsafe(name + ': zip entry refused: damaged local header');
			}
			for (var b = 0; b < nlen; b++) {
				if (zip[loff + 30 + b] !== raw[b]) {
					throw unsafe(name + ': zip entry refused: local and central names differ');
				}
			}
			entries.push({ name: name, method: method, csize: csize, usize: usize, local: loff, start: start });
		}
		if (p !== cdOff + cdSize) {
			throw unsafe('damaged central directory: trailing bytes');
		}
		// no two entries may share bytes (overlapping entries make small
		// zips that expand enormously)
		var byOffset = entries.slice().sort(function (a, b) { return a.local - b.local; });
		for (var q = 1; q < byOffset.length; q++) {
			var prev = byOffset[q - 1];
			if (byOffset[q].local < prev.start + prev.csize) {
				throw unsafe(byOffset[q].name + ': zip entry refused: overlaps ' + prev.name);
			}
		}
		return entries;
	}

	// Entries compressed to at most smallEntry bytes are inflated in one
	// call (they cannot expand past about 1000 times that); larger ones
	// stream, stopping at the size the manifest gives.
	var smallEntry = 64 << 10;

	// inflate returns entry e's content, never more than size bytes.
	async function inflate(zip, e, size) {
		var data = zip.subarray(e.start, e.start + e.csize);
		if (e.method === 0) {
			if (e.csize !== size) {
				throw unsafe(e.name + ': size mismatch');
			}
			return data.slice();
		}
		var out = new Uint8Array(size);
		if (e.csize <= smallEntry) {
			// One call: at most size bytes are kept (a typed array drops
			// writes past its end), so a longer stream cannot grow memory,
			// and the sha256 check that follows refuses any difference.
			var got;
			try {
				got = V.inflateSync(data, { out: out });
			} catch (err) {
				throw unsafe(e.name + ': not valid deflate data (' + String(err && err.message || err) + ')');
			}
			if (got.length !== size) {
				throw unsafe(e.name + ': size mismatch: ' + got.length + ' bytes, ' + manifestName + ' says ' + size);
			}
			return out;
		}
		var n = 0;
		var inf = new V.Inflate(function (chunk) {
			if (n + chunk.length > size) {
				throw unsafe(e.name + ': size mismatch: more than the ' + size + ' bytes ' + manifestName + ' says');
			}
			out.set(chunk, n);
			n += chunk.length;
		});
		var step = 1 << 18;
		try {
			if (data.length === 0) {
				inf.push(data, true);
			}
			for (var i = 0; i < data.length; i += step) {
				inf.push(data.subarray(i, i + step), i + step >= data.length);
				if (data.length > step) {
					await pause();
				}
			}
		} catch (err) {
			if (err instanceof Refusal) {
				throw err;
			}
			throw unsafe(e.name + ': not valid deflate data (' + String(err && err.message || err) + ')');
		}
		if (n !== size) {
			throw unsafe(e.name + ': size mismatch: ' + n + ' bytes, ' + manifestName + ' says ' + size);
		}
		return out;
	}

	// decodeManifest decodes manifest.json as strictly as Go's decoder
	// with DisallowUnknownFields, and checks its file list.
	function decodeManifest(bytes) {
		var m;
		try {
			m = JSON.parse(utf8.decode(bytes));
		} catch (e) {
			throw unsafe(manifestName + ': not valid JSON');
		}
		function only(o, keys, where) {
			if (o === null || typeof o !== 'object' || Array.isArray(o)) {
				throw unsafe(manifestName + ': ' + where + ' is not an object');
			}
			Object.keys(o).forEach(function (k) {
				if (keys.indexOf(k) < 0) {
					throw unsafe(manifestName + ': unknown field ' + JSON.stringify(k) + ' in ' + where);
				}
			});
		}
		function str(v, where) {
			if (v === undefined) {
				return '';
			}
			if (typeof v !== 'string') {
				throw unsafe(manifestName + ': ' + where + ' is not a string');
			}
			return v;
		}
		only(m, ['format', 'period', 'party', 'generator_version', 'reports', 'files'], 'the manifest');
		if (m.format !== 1) {
			throw unsafe(manifestName + ': format ' + JSON.stringify(m.format) + ' is not supported (this opener reads 1)');
		}
		var out = { period: str(m.period, 'period'), party: str(m.party, 'party'), files: [] };
		str(m.generator_version, 'generator_version');
		if (m.reports !== undefined && m.reports !== null) {
			if (!Array.isArray(m.reports)) {
				throw unsafe(manifestName + ': reports is not a list');
			}
			m.reports.forEach(function (r, i) {
				only(r, ['role', 'id', 'version'], 'reports[' + i + ']');
				str(r.role, 'reports[' + i + '].role');
				str(r.id, 'reports[' + i + '].id');
				str(r.version, 'reports[' + i + '].version');
			});
		}
		var files = m.files === undefined || m.files === null ? [] : m.files;
		if (!Array.isArray(files)) {
			throw unsafe(manifestName + ': files is not a list');
		}
		files.forEach(function (f, i) {
			var where = 'files[' + i + ']';
			only(f, ['path', 'size', 'sha256'], where);
			var path = str(f.path, where + '.path');
			var size = f.size === undefined ? 0 : f.size;
			var sum = str(f.sha256, where + '.sha256');
			var bad = nameProblem(path);
			if (bad) {
				throw unsafe(manifestName + ': ' + where + ': ' + bad);
			}
			if (path === manifestName || path === signatureName) {
				throw unsafe(manifestName + ': ' + where + ': lists ' + path);
			}
			if (i > 0 && byteCompare(out.files[i - 1].path, path) >= 0) {
				throw unsafe(manifestName + ': ' + where + ': ' + path + ' is out of order or repeated');
			}
			if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
				throw unsafe(manifestName + ': ' + path + ': bad size ' + JSON.stringify(size));
			}
			if (!/^[0-9a-f]{64}$/.test(sum)) {
				throw unsafe(manifestName + ': ' + path + ': sha256 ' + JSON.stringify(clip(sum)) + ' is not 64 lowercase hex digits');
			}
			out.files.push({ path: path, size: size, sha256: sum });
		});
		return out;
	}

	// checkZip runs every check of carport open on the decrypted zip and
	// returns the verified files.
	async function checkZip(zip, key, claim) {
		setStatus('Checking the files\u2026', 0);
		var list = readDirectory(zip);
		var entries = new Map();
		var folded = new Map();
		list.forEach(function (e) {
			var bad = nameProblem(e.name);
			if (bad) {
				throw unsafe('zip entry refused: ' + bad);
			}
			if (entries.has(e.name)) {
				throw unsafe(e.name + ': zip entry refused: duplicate name');
			}
			var low = e.name.toLowerCase();
			if (folded.has(low)) {
				throw unsafe(e.name + ': zip entry refused: same name as ' + folded.get(low) + ' but for case');
			}
			entries.set(e.name, e);
			folded.set(low, e.name);
		});
		entries.forEach(function (e, name) {
			for (var i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
				if (entries.has(name.slice(0, i))) {
					throw unsafe(name + ': zip entry refused: ' + name.slice(0, i) + ' is also a file');
				}
			}
		});
		if (!entries.has(manifestName)) {
			throw unsafe('no ' + manifestName + ' inside');
		}
		if (!entries.has(signatureName)) {
			throw new Refusal(say.unsigned, 'no ' + signatureName + ' inside: the manifest is unsigned');
		}
		if (list[0].name !== manifestName || list[1].name !== signatureName) {
			throw unsafe(manifestName + ' and ' + signatureName + ' must be the first entries');
		}
		var me = entries.get(manifestName);
		if (me.usize > maxManifest) {
			throw new Refusal(say.tooLarge, manifestName + ' is larger than ' + maxManifest + ' bytes');
		}
		var manifestJSON = await inflate(zip, me, me.usize);
		var m = decodeManifest(manifestJSON);
		var listed = new Set();
		m.files.forEach(function (f) {
			listed.add(f.path);
			var e = entries.get(f.path);
			if (!e) {
				throw unsafe(f.path + ': listed in ' + manifestName + ' but missing from the zip');
			}
			if (e.usize !== f.size) {
				throw unsafe(f.path + ': size mismatch: zip says ' + e.usize + ' bytes, ' + manifestName + ' says ' + f.size);
			}
		});
		list.forEach(function (e) {
			if (e.name !== manifestName && e.name !== signatureName && !listed.has(e.name)) {
				throw unsafe(e.name + ': in the zip but not listed in ' + manifestName);
			}
		});

		// the manifest's own signature, and both signatures agree
		var se = entries.get(signatureName);
		if (se.usize > maxSignature) {
			throw new Refusal(say.unsigned, signatureName + ' is larger than ' + maxSignature + ' bytes');
		}
		var sigBytes = await inflate(zip, se, se.usize);
		var sigText;
		try {
			sigText = utf8.decode(sigBytes);
		} catch (e) {
			throw new Refusal(say.unsigned, signatureName + ' is not text');
		}
		var msig = parseSignature(sigText, signatureName);
		checkKeyID(msig, key);
		if (!verify(msig, V.blake2b(manifestJSON, { dkLen: 64 }), key)) {
			throw new Refusal(say.tampered, signatureName + ' does not verify: ' + manifestName + ' was altered');
		}
		if (msig.trusted !== 'carport-manifest period:' + m.period + ' party:' + m.party) {
			throw new Refusal(mismatch(claim, m), manifestName + ' is signed for ' + JSON.stringify(clip(msig.trusted)));
		}
		if (claim.party !== m.party || claim.period !== m.period) {
			throw new Refusal(mismatch(claim, m), 'the outer signature and the manifest disagree');
		}

		// limits, from the signed manifest, before anything is inflated
		if (m.files.length > limits.maxFiles) {
			throw new Refusal(say.tooLarge, m.files.length + ' files, more than the limit of ' + limits.maxFiles);
		}
		var total = 0;
		m.files.forEach(function (f) {
			total += f.size;
			if (total > limits.maxBytes) {
				throw new Refusal(say.tooLarge, 'the files add up to more than the limit of ' + limits.maxBytes + ' bytes');
			}
			var e = entries.get(f.path);
			if (f.size > ratioFloor && f.size > limits.maxRatio * Math.max(e.csize, 1)) {
				throw new Refusal(say.tooLarge, f.path + ': expands ' + e.csize + ' bytes to ' + f.size + ' (more than ' + limits.maxRatio + ' times): a zip bomb?');
			}
		});
		if (total > ratioFloor && total > limits.maxRatio * Math.max(zip.length, 1)) {
			throw new Refusal(say.tooLarge, 'the zip expands ' + zip.length + ' bytes to ' + total + ' (more than ' + limits.maxRatio + ' times): a zip bomb?');
		}

		// every file, inflated and checked
		var files = new Map();
		files.set(manifestName, manifestJSON);
		files.set(signatureName, sigBytes);
		// inflated in batches, each batch's sha256 sums computed together
		// (WebCrypto answers each digest asynchronously)
		var done = 0;
		var batch = [];
		var batchBytes = 0;
		async function checkBatch() {
			var sums = await Promise.all(batch.map(function (x) { return sha256(x.body); }));
			for (var k = 0; k < batch.length; k++) {
				if (sums[k] !== batch[k].f.sha256) {
					throw new Refusal(say.tampered, batch[k].f.path + ': sha256 mismatch');
				}
				files.set(batch[k].f.path, batch[k].body);
			}
			batch = [];
			batchBytes = 0;
		}
		for (var i = 0; i < m.files.length; i++) {
			var f = m.files[i];
			batch.push({ f: f, body: await inflate(zip, entries.get(f.path), f.size) });
			batchBytes += f.size;
			done += f.size;
			if (batch.length >= 256 || batchBytes >= 16 << 20 || i === m.files.length - 1) {
				await checkBatch();
				setStatus('Checking the files\u2026 ' + (i + 1) + ' of ' + m.files.length, total ? done / total : 1);
				await pause();
			}
		}
		if (!files.has('index.html')) {
			throw unsafe('no index.html in the bundle');
		}
		return { files: files, manifest: m, bytes: total };
	}

	// ---- showing --------------------------------------------------------

	// The page's CSP requires Trusted Types for script URLs: the service
	// worker's is the one this page ever hands the browser.
	var workerURL = '/opener/sw.js';
	var scriptURLs = window.trustedTypes ? window.trustedTypes.createPolicy('carport-opener', {
		createScriptURL: function (u) {
			if (u !== workerURL) {
				throw new TypeError('not the opener\u2019s service worker: ' + u);
			}
			return u;
		}
	}) : { createScriptURL: function (u) { return u; } };

	function randomID() {
		var b = crypto.getRandomValues(new Uint8Array(16));
		var s = '';
		for (var i = 0; i < b.length; i++) {
			s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
		}
		return s;
	}

	function activated(reg) {
		return new Promise(function (resolve, reject) {
			var w = reg.installing || reg.waiting || reg.active;
			if (!w) {
				reject(new Error('no service worker'));
				return;
			}
			if (w.state === 'activated') {
				resolve();
				return;
			}
			w.addEventListener('statechange', function () {
				if (w.state === 'activated') {
					resolve();
				} else if (w.state === 'redundant') {
					reject(new Error('the service worker was discarded'));
				}
			});
		});
	}

	async function show(site, t0) {
		setStatus('Starting the view\u2026', null);
		var scope = '/view/' + cfg.period + '/' + cfg.party + '/' + randomID() + '/';
		current = { scope: new URL(scope, location.href).href, files: site.files, zip: site.zip, reg: null };
		try {
			current.reg = await navigator.serviceWorker.register(scriptURLs.createScriptURL(workerURL), { scope: scope, updateViaCache: 'none' });
			await activated(current.reg);
		} catch (e) {
			await closeView('');
			throw new Refusal(say.noSupport, String(e && e.message || e));
		}
		var frame = document.createElement('iframe');
		wireDownloads(frame, new URL(scope, location.href).pathname);
		frame.id = 'site';
		frame.title = 'Your report site, ' + cfg.party + ' ' + cfg.period + ' (decrypted in this tab)';
		frame.src = scope + 'index.html';
		el.frameBox.appendChild(frame);
		el.summary.textContent = site.manifest.files.length + ' files (' + mb(site.bytes) + ') checked against the DCC-signed manifest; opened in ' +
			((performance.now() - t0) / 1000).toFixed(1) + ' s.';
		el.viewer.hidden = false;
		el.form.hidden = true;
		setStatus('Opened and verified: party ' + cfg.party + ', period ' + cfg.period + '.', null);
		stage('');
		delete timings.current;
		root.dataset.timings = JSON.stringify(timings);
		root.dataset.openedMs = String(Math.round(performance.now() - t0));
	}

	// answerWorker answers the view's service worker with a file's bytes.
	function answerWorker(ev) {
		var port = ev.ports && ev.ports[0];
		var msg = ev.data;
		if (!port || ev.origin !== location.origin || !msg || msg.type !== 'carport-view') {
			return;
		}
		if (!current || msg.scope !== current.scope) {
			port.postMessage({ held: false });
			return;
		}
		var body = current.files.get(msg.path);
		port.postMessage(body ? { held: true, found: true, body: body } : { held: true, found: false });
	}

	// closeView drops the plaintext at once, removes the view and
	// unregisters its worker.
	async function closeView(message) {
		var c = current;
		current = null;
		var frame = document.getElementById('site');
		if (frame) {
			frame.remove();
		}
		el.viewer.hidden = true;
		el.form.hidden = false;
		if (c) {
			c.files.clear();
			c.files = null;
			c.zip = null;
			if (message) {
				setStatus(message, null);
			}
			if (c.reg) {
				try {
					await c.reg.unregister();
				} catch (e) {
					// the worker unregisters itself on its next request
				}
			}
			root.dataset.closed = 'yes';
		}
	}

	// saveZip offers the decrypted zip as a download, after the warning on
	// the page (the user asked for a copy on disk).
	function saveZip() {
		if (current && current.zip) {
			saveBytes(current.zip, cfg.party + '-' + cfg.period + '.zip', 'application/zip');
		}
	}

	// saveBytes hands bytes from memory to the browser as a download.
	function saveBytes(bytes, name, type) {
		var url = URL.createObjectURL(new Blob([bytes], { type: type }));
		var a = document.createElement('a');
		a.href = url;
		a.download = name;
		document.body.appendChild(a);
		a.click();
		a.remove();
		setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
	}

	// wireDownloads makes the site's download links (<a href="data/….csv"
	// download>) work from memory. Chromium sends such downloads to the
	// network, past the service worker, so on every page the frame loads a
	// click on one is caught here and the file saved from the opened
	// bundle instead: no download of the site ever reaches the host. Links
	// to blob: URLs (the site's own "filtered rows" CSV) are left alone.
	function wireDownloads(frame, scopePath) {
		frame.addEventListener('load', function () {
			var d;
			try {
				d = frame.contentDocument;
			} catch (e) {
				return;
			}
			if (!d) {
				return;
			}
			d.addEventListener('click', function (ev) {
				var a = ev.target && ev.target.closest ? ev.target.closest('a[download]') : null;
				if (!a || !a.href) {
					return;
				}
				var url = new URL(a.href, d.baseURI);
				if (url.origin !== location.origin || url.pathname.indexOf(scopePath) !== 0) {
					return;
				}
				ev.preventDefault();
				var path;
				try {
					path = url.pathname.slice(scopePath.length).split('/').map(decodeURIComponent).join('/');
				} catch (e) {
					return;
				}
				var body = current && current.scope === new URL(scopePath, location.href).href ? current.files.get(path) : null;
				if (body) {
					var name = a.getAttribute('download') || path.slice(path.lastIndexOf('/') + 1);
					saveBytes(body, name, 'application/octet-stream');
				}
			}, true);
		});
	}
})();
