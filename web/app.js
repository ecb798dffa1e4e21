// clippo search page behaviour: text and image search over POST /v1/search, the debounced
// "what the model sees" preview from GET /v1/render, and the health footer from GET /v1/health
// (contract: docs/API.md). Plain DOM, no framework; every server string goes in via textContent,
// never innerHTML. Only the newest search may paint results (older ones are aborted), so a slow
// reply never overwrites a newer one.
'use strict';

(() => {
  const kRenderDebounceMs = 250;
  const kHealthRetryMs = 2000;
  const kDefaultK = 24;

  const $ = (id) => document.getElementById(id);
  const form = $('search-form');
  const input = $('q');
  const fileInput = $('file');
  const kSelect = $('k');
  const kindsEl = $('kinds');
  const kindBoxes = [$('kind-image'), $('kind-text')];
  const statusEl = $('status');
  const grid = $('results');
  const banner = $('banner');
  const healthEl = $('health');
  const renderFigure = $('render-figure');
  const renderImg = $('render-preview');
  const imageFigure = $('image-figure');
  const queryImg = $('query-image');
  const queryImgName = $('query-image-name');
  const dropOverlay = $('drop-overlay');
  const viewer = $('viewer');

  // The image chosen for search-by-image: {base64, objectUrl, name} or null.
  let queryImage = null;
  // The last search run, so changing k or the kinds can repeat it: {kind: 'text'|'image', query?} or null.
  let lastSearch = null;
  let searchController = null;
  let searchSeq = 0;

  function selectedK() {
    const k = Number.parseInt(kSelect.value, 10);
    return Number.isInteger(k) && k > 0 ? k : kDefaultK;
  }

  // The kinds to search ("image", "text"): undefined when both, so the request stays the plain one,
  // and while the filter is hidden (a store of one kind), so a choice made earlier cannot linger.
  function selectedKinds() {
    if (kindsEl.hidden) return undefined;
    const kinds = kindBoxes.filter((box) => box.checked).map((box) => box.value);
    return kinds.length === kindBoxes.length ? undefined : kinds;
  }

  function setStatus(state, message) {
    statusEl.dataset.state = state;
    statusEl.textContent = message;
  }

  function showBanner(kind, message) {
    banner.dataset.kind = kind;
    banner.textContent = message;
    banner.hidden = false;
  }

  function hideBanner() {
    banner.hidden = true;
    banner.textContent = '';
  }

  // Turns a non-2xx reply into one readable line, preferring the server's error.message.
  async function errorMessage(response) {
    let message = '';
    try {
      const body = await response.json();
      if (body && body.error && typeof body.error.message === 'string') message = body.error.message;
    } catch (_) {
      // Not JSON (a proxy page, an empty body): fall back to the status line.
    }
    if (!message) message = `${response.status} ${response.statusText || 'error'}`.trim();
    if (response.status === 503) return `The server is not ready yet: ${message}`;
    if (response.status === 413) return `${message.replace(/\.$/, '')}. Try a smaller image.`;
    return message;
  }

  // ---- search --------------------------------------------------------------------------------

  async function runSearch(body, describe) {
    const seq = ++searchSeq;
    if (searchController) searchController.abort();
    searchController = new AbortController();
    setStatus('loading', 'Searching…');
    grid.setAttribute('aria-busy', 'true');
    form.classList.add('is-loading');
    try {
      const response = await fetch('/v1/search', {
        method: 'POST',
        headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
        body: JSON.stringify(body),
        signal: searchController.signal,
      });
      if (seq !== searchSeq) return;
      if (!response.ok) {
        const message = await errorMessage(response);
        if (seq !== searchSeq) return;
        clearResults();
        setStatus('error', message);
        if (response.status === 503) checkHealth();
        return;
      }
      const data = await response.json();
      if (seq !== searchSeq) return;
      const results = Array.isArray(data.results) ? data.results : [];
      renderResults(results);
      if (results.length === 0) {
        setStatus('empty', `No results ${describe}.`);
      } else {
        const took = data.took_ms && Number.isFinite(data.took_ms.total)
            ? ` in ${Math.round(data.took_ms.total)} ms` : '';
        const noun = results.length === 1 ? 'result' : 'results';
        setStatus('done', `${results.length} ${noun} ${describe}${took}`);
      }
    } catch (err) {
      if (err && err.name === 'AbortError') return;
      if (seq !== searchSeq) return;
      clearResults();
      setStatus('error', err instanceof SyntaxError
          ? 'The server sent a reply that is not valid JSON.'
          : 'Cannot reach the server. Is clippo serve running?');
    } finally {
      if (seq === searchSeq) {
        grid.removeAttribute('aria-busy');
        form.classList.remove('is-loading');
      }
    }
  }

  function searchText(query) {
    lastSearch = {kind: 'text', query};
    return runSearch({query, k: selectedK(), kinds: selectedKinds()}, `for “${query}”`);
  }

  function searchImage() {
    if (!queryImage) return Promise.resolve();
    lastSearch = {kind: 'image'};
    return runSearch({image: queryImage.base64, k: selectedK(), kinds: selectedKinds()}, 'for the image');
  }

  function submit() {
    const query = input.value.trim();
    if (query) {
      clearQueryImage();
      return searchText(query);
    }
    if (queryImage) return searchImage();
    ++searchSeq;
    if (searchController) searchController.abort();
    clearResults();
    lastSearch = null;
    setStatus('hint', 'Type something to search for, or choose an image.');
    input.focus();
    return Promise.resolve();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });

  // Never neither kind: unchecking the last one checks the other, then the search repeats.
  kindBoxes.forEach((box) => box.addEventListener('change', () => {
    if (!kindBoxes.some((b) => b.checked)) kindBoxes.find((b) => b !== box).checked = true;
    repeatLastSearch();
  }));

  kSelect.addEventListener('change', repeatLastSearch);

  function repeatLastSearch() {
    if (!lastSearch) return;
    if (lastSearch.kind === 'image') searchImage();
    else searchText(lastSearch.query);
  }

  // ---- results grid --------------------------------------------------------------------------

  function clearResults() {
    grid.replaceChildren();
  }

  function imageUrlOf(result) {
    if (typeof result.image_url === 'string' && result.image_url) return result.image_url;
    return `/v1/items/${encodeURIComponent(String(result.id))}/image`;
  }

  function formatScore(score) {
    return Number.isFinite(score) ? score.toFixed(3) : '–';
  }

  function makeCard(result, rank) {
    const id = String(result.id);
    const isText = result.kind === 'text';
    // A text item is shown by its text; an image by its caption (or, below, its file name).
    const caption = isText ? String(result.text || '').trim()
        : typeof result.caption === 'string' ? result.caption.trim() : '';
    const url = imageUrlOf(result);

    const li = document.createElement('li');
    li.className = isText ? 'card card--text' : 'card';
    li.dataset.id = id;
    li.dataset.kind = isText ? 'text' : 'image';
    li.dataset.score = String(result.score);
    if (typeof result.uri === 'string') li.dataset.uri = result.uri;

    const link = document.createElement('a');
    link.className = 'card__link';
    link.href = url;
    link.target = '_blank';
    link.rel = 'noopener';
    link.setAttribute('aria-label',
        `Result ${rank}: ${isText ? 'text' : 'image'} ${caption || id}, score ${formatScore(result.score)}`);
    link.addEventListener('click', (event) => {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      openViewer(result, url, caption);
    });

    const media = document.createElement('div');
    media.className = 'card__media';
    const img = document.createElement('img');
    img.loading = 'lazy';
    img.decoding = 'async';
    img.alt = isText ? `The text “${caption}” as the model sees it` : caption || `Image ${id}`;
    img.src = url;
    img.addEventListener('error', () => media.classList.add('is-broken'), {once: true});
    media.append(img);

    const bodyEl = document.createElement('div');
    bodyEl.className = 'card__body';
    if (caption) {
      const cap = document.createElement('p');
      cap.className = 'card__caption';
      cap.dir = 'auto';
      if (typeof result.lang === 'string' && result.lang) cap.lang = result.lang;
      cap.textContent = caption;
      cap.title = caption;
      bodyEl.append(cap);
    } else if (typeof result.uri === 'string' && result.uri) {
      // No caption: name the file instead, so the card still says what it is.
      const name = document.createElement('p');
      name.className = 'card__caption is-uri';
      name.textContent = result.uri.split(/[\\/]/).filter(Boolean).pop() || result.uri;
      name.title = result.uri;
      bodyEl.append(name);
    }
    const meta = document.createElement('div');
    meta.className = 'card__meta';
    const score = document.createElement('span');
    score.className = 'score';
    score.textContent = formatScore(result.score);
    score.title = 'Cosine similarity';
    const idEl = document.createElement('span');
    idEl.className = 'item-id';
    idEl.textContent = `#${id}`;
    idEl.title = typeof result.uri === 'string' && result.uri ? result.uri : `id ${id}`;
    if (isText) {
      const kind = document.createElement('span');
      kind.className = 'card__kind';
      kind.textContent = result.lang ? `text · ${result.lang}` : 'text';
      meta.append(kind);
    }
    meta.append(score, idEl);
    bodyEl.append(meta);

    link.append(media, bodyEl);
    li.append(link);
    return li;
  }

  function renderResults(results) {
    const fragment = document.createDocumentFragment();
    results.forEach((result, i) => fragment.append(makeCard(result, i + 1)));
    grid.replaceChildren(fragment);
  }

  function openViewer(result, url, caption) {
    const id = String(result.id);
    $('viewer-image').src = url;
    $('viewer-image').alt = caption || `Image ${id}`;
    $('viewer-title').textContent = caption || (result.uri ? String(result.uri) : `Image ${id}`);
    $('viewer-score').textContent = `score ${formatScore(result.score)}`;
    $('viewer-id').textContent = id;
    $('viewer-link').href = url;
    if (typeof viewer.showModal === 'function') viewer.showModal();
    else window.open(url, '_blank', 'noopener');
  }

  // A click on the backdrop (outside the dialog box) closes the viewer.
  viewer.addEventListener('click', (event) => {
    if (event.target === viewer) viewer.close();
  });

  // ---- "what the model sees" preview ---------------------------------------------------------

  let renderTimer = 0;
  function scheduleRenderPreview() {
    clearTimeout(renderTimer);
    renderTimer = setTimeout(updateRenderPreview, kRenderDebounceMs);
  }

  function updateRenderPreview() {
    const text = input.value.trim();
    if (!text) {
      renderFigure.hidden = true;
      renderImg.removeAttribute('src');
      return;
    }
    renderImg.alt = `“${text}” rendered as pixels, as the model sees it`;
    renderImg.src = `/v1/render?text=${encodeURIComponent(text)}`;
  }

  renderImg.addEventListener('load', () => {
    if (renderImg.getAttribute('src')) renderFigure.hidden = false;
  });
  renderImg.addEventListener('error', () => {
    renderFigure.hidden = true;
  });
  input.addEventListener('input', scheduleRenderPreview);
  $('render-zoom').addEventListener('click', (event) => {
    const button = event.currentTarget;
    button.setAttribute('aria-pressed', String(button.getAttribute('aria-pressed') !== 'true'));
  });

  // ---- search by image -----------------------------------------------------------------------

  function readAsBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => {
        const dataUrl = String(reader.result);
        const comma = dataUrl.indexOf(',');
        resolve(comma >= 0 ? dataUrl.slice(comma + 1) : dataUrl);
      };
      reader.onerror = () => reject(reader.error || new Error('cannot read the file'));
      reader.readAsDataURL(file);
    });
  }

  function clearQueryImage() {
    if (queryImage) URL.revokeObjectURL(queryImage.objectUrl);
    queryImage = null;
    imageFigure.hidden = true;
    queryImg.removeAttribute('src');
    fileInput.value = '';
  }

  async function useImageFile(file) {
    if (!file) return;
    if (file.type && !file.type.startsWith('image/')) {
      setStatus('error', `“${file.name}” is not an image. Choose a JPEG, PNG or WebP file.`);
      return;
    }
    let base64;
    try {
      base64 = await readAsBase64(file);
    } catch (err) {
      setStatus('error', `Cannot read “${file.name}”: ${err.message}`);
      return;
    }
    clearQueryImage();
    queryImage = {base64, objectUrl: URL.createObjectURL(file), name: file.name || 'pasted image'};
    queryImg.src = queryImage.objectUrl;
    queryImg.alt = `Query image: ${queryImage.name}`;
    queryImgName.textContent = queryImage.name;
    imageFigure.hidden = false;
    input.value = '';
    clearTimeout(renderTimer);
    updateRenderPreview();
    await searchImage();
  }

  fileInput.addEventListener('change', () => {
    const file = fileInput.files && fileInput.files[0];
    if (file) useImageFile(file);
  });

  $('clear-image').addEventListener('click', () => {
    clearQueryImage();
    input.focus();
  });

  function firstImageFile(list) {
    return Array.from(list || []).find((f) => !f.type || f.type.startsWith('image/')) || null;
  }

  function hasFiles(event) {
    return event.dataTransfer && Array.from(event.dataTransfer.types || []).includes('Files');
  }

  let dragDepth = 0;
  window.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth += 1;
    dropOverlay.hidden = false;
  });
  window.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) dropOverlay.hidden = true;
  });
  window.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    dragDepth = 0;
    dropOverlay.hidden = true;
    const file = firstImageFile(event.dataTransfer.files);
    if (file) useImageFile(file);
    else setStatus('error', 'That is not an image. Drop a JPEG, PNG or WebP file.');
  });
  window.addEventListener('paste', (event) => {
    const file = event.clipboardData && firstImageFile(event.clipboardData.files);
    if (!file) return;
    event.preventDefault();
    useImageFile(file);
  });

  // ---- health footer -------------------------------------------------------------------------

  let healthTimer = 0;
  async function checkHealth() {
    clearTimeout(healthTimer);
    let response;
    try {
      response = await fetch('/v1/health', {headers: {'Accept': 'application/json'}, cache: 'no-store'});
    } catch (_) {
      healthEl.dataset.state = 'error';
      healthEl.textContent = 'Server unreachable.';
      showBanner('error', 'Cannot reach the clippo server. Retrying…');
      healthTimer = setTimeout(checkHealth, kHealthRetryMs * 2);
      return;
    }
    if (response.status === 503) {
      const message = await errorMessage(response);
      healthEl.dataset.state = 'not-ready';
      healthEl.textContent = 'Server starting…';
      showBanner('warning', `${message.replace(/\.$/, '')}. Searches will work once it is ready.`);
      healthTimer = setTimeout(checkHealth, kHealthRetryMs);
      return;
    }
    if (!response.ok) {
      const message = await errorMessage(response);
      healthEl.dataset.state = 'error';
      healthEl.textContent = `Health check failed: ${message}`;
      showBanner('error', `Health check failed: ${message}`);
      return;
    }
    let health;
    try {
      health = await response.json();
    } catch (_) {
      healthEl.dataset.state = 'error';
      healthEl.textContent = 'Health check failed: the reply is not JSON.';
      return;
    }
    hideBanner();
    renderHealth(health);
  }

  // The model's input size (/v1/health image_size): the preview's caption, and a zoom of a whole
  // number of CSS pixels per model pixel, at least the model's own size.
  function showModelInputSize(size) {
    if (!Number.isFinite(size) || size <= 0) return;
    const zoom = Math.max(size, size * Math.floor(224 / size));
    $('render-zoom').style.setProperty('--zoom-px', `${zoom}px`);
    $('render-size').textContent = `${size} × ${size} pixels · click to zoom`;
  }

  function renderHealth(health) {
    showModelInputSize(health.image_size);
    const model = health.model || {};
    const items = Number.isFinite(health.items) ? health.items : 0;
    const kinds = health.kinds || {};
    const texts = Number.isFinite(kinds.text) ? kinds.text : 0;
    const images = Number.isFinite(kinds.image) ? kinds.image : items - texts;
    const dim = Number.isFinite(health.dim) ? health.dim : model.dim;
    const hash = typeof model.content_hash === 'string' ? model.content_hash : '';

    const parts = [];
    const dot = document.createElement('span');
    dot.className = 'health-dot';
    dot.setAttribute('aria-hidden', 'true');
    parts.push(dot);

    const itemsEl = document.createElement('span');
    itemsEl.id = 'health-items';
    itemsEl.textContent = `${items.toLocaleString('en')} ${items === 1 ? 'item' : 'items'}`;
    parts.push(itemsEl);
    // The kinds filter only means something when the collection holds both.
    kindsEl.hidden = !(texts > 0 && images > 0);
    if (texts > 0) {
      parts.push(document.createTextNode(
          ` (${images.toLocaleString('en')} ${images === 1 ? 'image' : 'images'}, ` +
          `${texts.toLocaleString('en')} ${texts === 1 ? 'text' : 'texts'})`));
    }

    if (hash) {
      parts.push(document.createTextNode(' · model '));
      const code = document.createElement('code');
      code.id = 'health-model';
      // Short hashes ("fnv1a64:1524f9a45c126a50") in full; long ones ("sha256:...") cut to 12 hex.
      const colon = hash.indexOf(':');
      code.textContent = hash.length <= 32 ? hash
          : `${hash.slice(0, colon + 1)}${hash.slice(colon + 1, colon + 13)}…`;
      code.title = model.path ? `${hash}\n${model.path}` : hash;
      parts.push(code);
    }
    if (Number.isFinite(dim)) parts.push(document.createTextNode(` · ${dim}-d embeddings`));
    healthEl.replaceChildren(...parts);
    healthEl.dataset.state = 'ok';
    if (items === 0) {
      showBanner('info', 'The collection is empty: add images with “clippo index build” or POST /v1/items.');
    }
  }

  // ---- start ---------------------------------------------------------------------------------

  checkHealth();
  // A query in the address bar (/?q=...) searches at once, so searches can be linked.
  const initial = new URLSearchParams(window.location.search).get('q');
  if (initial) {
    input.value = initial;
    updateRenderPreview();
    submit();
  }
})();
