/*
 * The clinic's FAQ assistant for any web page, embedded with one tag:
 *
 *   <script src="https://HOST/widget.js" data-api="https://HOST" defer></script>
 *
 * `data-api` is where the assistant answers (default: wherever this script came from). The script
 * appends one <clinic-faq-assistant> to the page: a launcher button that opens a chat panel.
 * Plain JavaScript, no framework, no build step, nothing fetched from anyone but the API.
 *
 * Why it is built this way:
 * - Shadow DOM: the clinic's stylesheet cannot restyle the widget, and ours cannot leak onto
 *   the clinic's page.
 * - Every text that comes from the network is inserted with textContent, never as HTML.
 * - The page may include this script twice (a CMS block and a template, say): the element is
 *   defined once and mounted once.
 */
(() => {
  'use strict';

  const TAG = 'clinic-faq-assistant';
  if (!window.customElements || window.customElements.get(TAG)) {
    return; // already loaded by another copy of this script
  }

  // document.currentScript is set only while this file first runs (deferred or not), never in a
  // callback, so the script's own tag is captured here, once.
  const script = document.currentScript;
  const scriptOrigin = script && script.src ? new URL(script.src, document.baseURI).origin : window.location.origin;
  const defaultApi = script && script.dataset.api ? new URL(script.dataset.api, document.baseURI).href : scriptOrigin;

  // The office's own words from knowledge/clinic.yaml, by language, written in here by the server as it serves
  // this file. `unreachable` is shown when the server cannot say anything (offline, starting, over the rate
  // limit), so it carries the emergency numbers itself: an emergency typed then must still meet 911 and 988.
  const OFFICE = /* the office's texts, written in by the server */ null;
  if (!OFFICE) {
    // A copy of this file served from elsewhere: without the office's emergency words the widget must not show.
    console.error(`${TAG}: load widget.js from the assistant's own server; this copy lacks the office's texts`);
    return;
  }

  const TIMEOUT_MS = 15000;
  // The reply contract's kinds: chatbot/domain.py's Kind (tests/test_widget.py checks that the two lists match).
  const KINDS = ['answer', 'clarify', 'fallback', 'emergency', 'greeting', 'smalltalk'];
  const NONE_OF_THESE = 'none'; // the `choice` that says none of the suggestions was the question
  // The widget's own words, in each language the assistant answers in. The interface follows the host
  // page's <html lang> at first, then the language of the patient's messages (each reply says it).
  const TEXT = {
    en: {
      retry: 'Retry',
      you: 'You: ',
      assistant: 'Assistant: ',
      typing: 'The assistant is typing',
      emergency: 'Emergency',
      region: 'Questions about the clinic',
      launcher: 'Questions? Ask us',
      title: 'Ask the clinic',
      close: 'Close the assistant',
      log: 'Conversation with the assistant',
      label: 'Your question',
      placeholder: 'Type your question',
      send: 'Send',
      noneOfThese: 'None of these',
      helpful: 'Was this helpful?',
      yes: 'Yes, this helped',
      no: 'No, this did not help',
      thanks: 'Thank you for your feedback.',
    },
    es: {
      retry: 'Reintentar',
      you: 'Usted: ',
      assistant: 'Asistente: ',
      typing: 'El asistente está escribiendo',
      emergency: 'Emergencia',
      region: 'Preguntas sobre la clínica',
      launcher: '¿Preguntas? Escríbanos',
      title: 'Pregunte a la clínica',
      close: 'Cerrar el asistente',
      log: 'Conversación con el asistente',
      label: 'Su pregunta',
      placeholder: 'Escriba su pregunta',
      send: 'Enviar',
      noneOfThese: 'Ninguna de estas',
      helpful: '¿Le fue útil?',
      yes: 'Sí, me ayudó',
      no: 'No, no me ayudó',
      thanks: 'Gracias por su opinión.',
    },
  };
  const pageLanguage = () => (/^es\b/i.test(document.documentElement.lang || '') ? 'es' : 'en');

  // Colours are chosen for WCAG AA contrast (most pairs reach AAA): #0b5f73 on white is 7.2:1,
  // white on #8a0000 is 10:1, #3d3d3d on #fff6d6 is 10:1.
  const CSS = `
    :host {
      /* The page's rules can reach the host element itself (think "* { font: ... }"), and inherited
         properties would flow in through it: start from nothing. !important because in the cascade
         the page's normal rules beat :host's normal ones. */
      all: initial !important;
    }
    .root {
      font: 400 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
      color: #1a1a1a;
      text-align: left;
    }
    *, *::before, *::after { box-sizing: border-box; }
    [hidden] { display: none !important; }
    button, input { font: inherit; letter-spacing: inherit; margin: 0; }
    button { cursor: pointer; }

    .launcher {
      position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
      display: inline-flex; align-items: center; gap: 8px;
      min-height: 48px; padding: 12px 20px;
      border: 0; border-radius: 999px;
      background: #0b5f73; color: #ffffff; font-weight: 600;
      box-shadow: 0 4px 14px rgba(0, 0, 0, 0.25);
    }
    .launcher:hover { background: #094d5d; }
    .launcher svg { width: 22px; height: 22px; flex: none; }

    .panel {
      position: fixed; right: 20px; bottom: 84px; z-index: 2147483001;
      display: flex; flex-direction: column;
      width: 380px; max-width: calc(100vw - 40px);
      height: 560px; max-height: calc(100vh - 104px);
      background: #ffffff; border: 1px solid #c7d0d4; border-radius: 12px;
      box-shadow: 0 10px 40px rgba(0, 0, 0, 0.3);
      overflow: hidden;
    }
    .head {
      display: flex; align-items: center; justify-content: space-between; gap: 8px;
      padding: 10px 10px 10px 16px;
      background: #0b5f73; color: #ffffff;
    }
    h2 { margin: 0; font-size: 17px; font-weight: 700; line-height: 1.3; }
    .close {
      width: 44px; height: 44px; flex: none;
      border: 0; border-radius: 8px;
      background: transparent; color: #ffffff; font-size: 28px; line-height: 1;
    }
    .close:hover { background: rgba(255, 255, 255, 0.16); }
    .notice {
      margin: 0; padding: 8px 16px;
      background: #fff6d6; color: #3d3d3d; border-bottom: 1px solid #e8dcae;
      font-size: 14px; line-height: 1.35;
    }

    .log {
      flex: 1 1 auto; overflow-y: auto; overscroll-behavior: contain;
      display: flex; flex-direction: column; gap: 10px;
      padding: 16px;
    }
    .msg {
      max-width: 85%; margin: 0; padding: 10px 14px;
      border-radius: 14px;
      white-space: pre-line; overflow-wrap: anywhere;
    }
    .from-user { align-self: flex-end; background: #0b5f73; color: #ffffff; border-bottom-right-radius: 4px; }
    .from-bot { align-self: flex-start; background: #eef3f5; color: #1a1a1a; border-bottom-left-radius: 4px; }
    .preface { display: block; font-style: italic; margin-bottom: 4px; }
    .emergency {
      align-self: stretch; max-width: none;
      background: #8a0000; color: #ffffff; font-weight: 600;
      border: 3px solid #ffdd00; border-radius: 8px;
    }
    .emergency .label { display: block; color: #ffdd00; text-transform: uppercase; letter-spacing: 0.06em; font-size: 14px; }
    .error {
      align-self: stretch; max-width: none;
      display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px;
      background: #fdecea; color: #7a1010; border: 1px solid #e4a5a5; border-radius: 8px;
      font-weight: 600;
    }
    .retry {
      min-height: 40px; padding: 6px 16px;
      border: 2px solid #7a1010; border-radius: 8px;
      background: #ffffff; color: #7a1010; font-weight: 700;
    }
    .choices, .feedback { align-self: flex-start; display: flex; flex-wrap: wrap; gap: 8px; max-width: 85%; margin: 0; }
    .choices { flex-direction: column; align-items: stretch; }
    .choice, .vote {
      min-height: 44px; padding: 8px 14px; text-align: left;
      border: 2px solid #0b5f73; border-radius: 8px;
      background: #ffffff; color: #0b5f73; font-weight: 600;
    }
    .choice:hover:not(:disabled), .vote:hover:not(:disabled) { background: #e3eef1; }
    .choice:disabled, .vote:disabled { cursor: default; border-color: #8a979e; color: #52606d; }
    .choice[aria-pressed="true"], .vote[aria-pressed="true"] { background: #0b5f73; color: #ffffff; border-color: #0b5f73; }
    .feedback { align-items: center; font-size: 14px; color: #3d3d3d; }
    .vote { min-width: 44px; font-size: 18px; padding: 6px 10px; }
    .typing { display: inline-flex; align-items: center; gap: 5px; min-height: 42px; }
    .dot { width: 8px; height: 8px; border-radius: 50%; background: #52606d; animation: blink 1.2s infinite ease-in-out both; }
    .dot:nth-of-type(2) { animation-delay: 0.2s; }
    .dot:nth-of-type(3) { animation-delay: 0.4s; }
    @keyframes blink { 0%, 80%, 100% { opacity: 0.25; } 40% { opacity: 1; } }
    @media (prefers-reduced-motion: reduce) { .dot { animation: none; opacity: 0.7; } }

    .composer { display: flex; gap: 8px; padding: 12px; border-top: 1px solid #c7d0d4; background: #ffffff; }
    input {
      flex: 1 1 auto; min-width: 0; min-height: 44px; padding: 10px 12px;
      border: 2px solid #52606d; border-radius: 8px;
      background: #ffffff; color: #1a1a1a;
      font-size: 16px; /* below 16px, phones zoom the page when the field is focused */
    }
    input::placeholder { color: #595959; opacity: 1; }
    .send {
      min-height: 44px; padding: 10px 18px;
      border: 0; border-radius: 8px;
      background: #0b5f73; color: #ffffff; font-weight: 600;
    }
    .send:hover { background: #094d5d; }
    .visually-hidden {
      position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0;
      overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
    }

    /* A visible focus ring on any background: yellow inside, near-black outside. Last, so that it
       wins over the box-shadows above. The transparent outline still shows in forced-colours mode. */
    :focus-visible {
      outline: 3px solid transparent;
      outline-offset: 2px;
      box-shadow: 0 0 0 3px #ffdd00, 0 0 0 6px #0b0c0c;
    }
    .log:focus-visible { box-shadow: inset 0 0 0 3px #ffdd00, inset 0 0 0 6px #0b0c0c; }
    :focus:not(:focus-visible) { outline: none; }

    /* A phone: the panel takes the whole screen. */
    @media (max-width: 480px) {
      .panel { inset: 0; width: 100%; max-width: none; height: 100%; max-height: none; border: 0; border-radius: 0; }
      .launcher { right: 16px; bottom: 16px; }
    }
  `;

  // Parsed once, cloned into every instance. A constant string: no outside text ever goes through innerHTML.
  const template = document.createElement('template');
  template.innerHTML = `
    <aside class="root">
      <button class="launcher" type="button" aria-expanded="false" aria-controls="panel">
        <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/>
        </svg>
        <span class="launcher-text"></span>
      </button>
      <div class="panel" id="panel" role="dialog" aria-modal="false" aria-labelledby="title" hidden>
        <div class="head">
          <h2 id="title"></h2>
          <button class="close" type="button">&times;</button>
        </div>
        <p class="notice" hidden></p>
        <div class="log" role="log" aria-live="polite" tabindex="0"></div>
        <form class="composer" novalidate>
          <label class="visually-hidden" for="question"></label>
          <input id="question" name="question" type="text" autocomplete="off" maxlength="1000" enterkeyhint="send">
          <button class="send" type="submit"></button>
        </form>
      </div>
    </aside>
  `;

  // One stylesheet object shared by every instance. Constructed sheets are not inline styles, so a
  // page whose Content-Security-Policy forbids 'unsafe-inline' styles still shows the widget styled.
  let sheet = null;
  if ('adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }

  class ClinicFaqAssistant extends HTMLElement {
    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      if (sheet) {
        root.adoptedStyleSheets = [sheet];
      } else {
        const style = document.createElement('style');
        style.textContent = CSS;
        root.append(style);
      }
      root.append(template.content.cloneNode(true));
      this._launcher = root.querySelector('.launcher');
      this._panel = root.querySelector('.panel');
      this._close = root.querySelector('.close');
      this._notice = root.querySelector('.notice');
      this._log = root.querySelector('.log');
      this._form = root.querySelector('.composer');
      this._input = root.querySelector('input');
      this._root = root;
      this._greeted = false;
      this._speak(pageLanguage());
      this._busy = false;
      this._controller = null;
      this._retries = new WeakMap(); // error message -> the request its Retry sends again
      this._choices = new WeakMap(); // suggestion button -> the {question, choice} it sends
      this._votes = new WeakMap(); // thumbs button -> the feedback it sends
      // Bound once so that disconnectedCallback can remove exactly what connectedCallback added.
      this._onLauncherClick = () => (this._panel.hidden ? this.open() : this.close());
      this._onCloseClick = () => this.close();
      this._onSubmit = (event) => {
        event.preventDefault();
        this._ask(this._input.value);
      };
      this._onKeydown = (event) => {
        if (event.key === 'Escape' && !this._panel.hidden) {
          event.preventDefault();
          this.close();
        }
      };
      this._onLogClick = (event) => {
        const choice = event.target.closest('.choice');
        if (choice && !choice.disabled && !this._busy) {
          this._choose(choice);
          return;
        }
        const vote = event.target.closest('.vote');
        if (vote && !vote.disabled) {
          this._vote(vote);
          return;
        }
        const button = event.target.closest('.retry');
        if (button && !this._busy) {
          const failed = button.closest('.error');
          failed.remove();
          this._input.focus(); // the Retry button is gone; keep the keyboard user in the conversation
          this._send(this._retries.get(failed));
        }
      };
    }

    /** Show the widget's own words in `lang` (`en` or `es`), and tell screen readers which language they are in. */
    _speak(lang) {
      this._lang = TEXT[lang] ? lang : 'en';
      const text = TEXT[this._lang];
      const root = this._root;
      root.querySelector('.root').setAttribute('lang', this._lang);
      root.querySelector('.root').setAttribute('aria-label', text.region);
      root.querySelector('.launcher-text').textContent = text.launcher;
      root.querySelector('#title').textContent = text.title;
      this._close.setAttribute('aria-label', text.close);
      this._log.setAttribute('aria-label', text.log);
      root.querySelector('label[for="question"]').textContent = text.label;
      this._input.placeholder = text.placeholder;
      root.querySelector('.send').textContent = text.send;
    }

    /** Where the assistant answers: this element's data-api, else the script tag's, else the script's origin. */
    get api() {
      return (this.dataset.api || defaultApi).replace(/\/+$/, '');
    }

    connectedCallback() {
      this._launcher.addEventListener('click', this._onLauncherClick);
      this._close.addEventListener('click', this._onCloseClick);
      this._form.addEventListener('submit', this._onSubmit);
      this._log.addEventListener('click', this._onLogClick);
      // Keyboard events from inside the shadow root reach the host, so one listener catches Esc anywhere in the widget.
      this.addEventListener('keydown', this._onKeydown);
    }

    disconnectedCallback() {
      this._launcher.removeEventListener('click', this._onLauncherClick);
      this._close.removeEventListener('click', this._onCloseClick);
      this._form.removeEventListener('submit', this._onSubmit);
      this._log.removeEventListener('click', this._onLogClick);
      this.removeEventListener('keydown', this._onKeydown);
      if (this._controller) this._controller.abort();
    }

    open() {
      this._panel.hidden = false;
      this._launcher.setAttribute('aria-expanded', 'true');
      this._input.focus();
      if (!this._greeted) {
        this._greeted = true; // once; if it fails, its error message carries the Retry
        this._send({ path: `/v1/greeting?lang=${this._lang}` });
      }
    }

    close() {
      this._panel.hidden = true;
      this._launcher.setAttribute('aria-expanded', 'false');
      this._launcher.focus();
    }

    _ask(text) {
      const question = text.trim();
      if (!question || this._busy) return; // one question at a time; the text stays in the box
      // Right after "did you mean", the server reads whether the message picks a suggestion ("2", "the second
      // one"): on a phone, typing it is as likely as a tap.
      const offer = this._openOffer();
      this._input.value = '';
      this._say('user', question);
      const ids = offer
        ? [...offer.querySelectorAll('.choice')].map((b) => this._choices.get(b).choice).filter((id) => id !== NONE_OF_THESE)
        : [];
      this._send(ids.length ? { path: '/v1/ask', body: { question, offered: ids }, offer } : { path: '/v1/ask', body: { question } });
    }

    /** Send one request, show the typing indicator meanwhile, then the reply or a retryable error. */
    async _send(job) {
      this._busy = true;
      const typing = this._showTyping();
      let reply = null;
      try {
        reply = await this._fetch(job);
      } catch {
        reply = null;
      } finally {
        typing.remove();
        this._busy = false;
      }
      if (!this.isConnected) return;
      if (!reply) {
        this._showError(job);
      } else if (job.path.startsWith('/v1/greeting')) {
        if (typeof reply.notice === 'string') {
          this._notice.textContent = reply.notice;
          this._notice.lang = this._lang;
          this._notice.hidden = false;
        }
        this._say('bot', reply.answer, 'greeting', this._lang);
      } else {
        const lang = reply.lang === 'es' ? 'es' : 'en';
        this._speak(lang);
        const kind = KINDS.includes(reply.kind) ? reply.kind : 'answer';
        // The clinic's answers are its own English words, whatever language the question was in.
        this._say('bot', reply.answer, kind, kind === 'answer' ? 'en' : lang, typeof reply.preface === 'string' ? reply.preface : '', lang);
        if (reply.kind === 'clarify' && Array.isArray(reply.suggestions)) {
          this._offer(reply.answer, reply.suggestions, job.body.question);
        } else if (reply.kind === 'answer' && typeof reply.id === 'string') {
          if (job.offer && job.body.offered.includes(reply.id)) this._closeOffer(job.offer, reply.id);
          this._askFeedback(reply.id, job.body.question);
        }
      }
    }

    /** "Did you mean": one button per suggestion (the clinic's own question) and "None of these". */
    _offer(prompt, suggestions, question) {
      const group = document.createElement('div');
      group.className = 'choices';
      group.setAttribute('role', 'group');
      group.setAttribute('aria-label', prompt);
      const options = suggestions
        .filter((s) => s && typeof s.id === 'string' && typeof s.question === 'string')
        .map((s) => ({ id: s.id, label: s.question }));
      for (const option of [...options, { id: NONE_OF_THESE, label: TEXT[this._lang].noneOfThese }]) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'choice';
        button.textContent = option.label;
        button.setAttribute('aria-pressed', 'false');
        this._choices.set(button, { question, choice: option.id });
        group.append(button);
      }
      this._append(group);
      // The patient's next step is to pick one: take the keyboard there (the group's label is read out with it).
      group.querySelector('.choice').focus();
    }

    /** The "did you mean" buttons, while they are the last thing in the conversation and nothing is picked. */
    _openOffer() {
      const offer = this._log.lastElementChild;
      if (!offer || !offer.classList.contains('choices')) return null;
      return offer.querySelector('.choice:disabled') ? null : offer;
    }

    /** A suggestion picked in words: its button shows as pressed, and the offer is closed. */
    _closeOffer(offer, id) {
      for (const button of offer.querySelectorAll('.choice')) {
        button.disabled = true;
        if (this._choices.get(button).choice === id) button.setAttribute('aria-pressed', 'true');
      }
    }

    _choose(button) {
      const picked = this._choices.get(button);
      for (const other of button.parentElement.querySelectorAll('.choice')) other.disabled = true;
      button.setAttribute('aria-pressed', 'true');
      this._say('user', button.textContent);
      this._input.focus();
      this._send({ path: '/v1/ask', body: picked });
    }

    /** A thumbs up or down after an answer: one tap, optional, sent once. */
    _askFeedback(id, question) {
      const bar = document.createElement('div');
      bar.className = 'feedback';
      bar.setAttribute('role', 'group');
      bar.setAttribute('aria-label', TEXT[this._lang].helpful);
      const words = document.createElement('span');
      words.textContent = TEXT[this._lang].helpful;
      bar.append(words);
      for (const [helpful, symbol, label] of [[true, '\u{1F44D}', TEXT[this._lang].yes], [false, '\u{1F44E}', TEXT[this._lang].no]]) {
        const vote = document.createElement('button');
        vote.type = 'button';
        vote.className = 'vote';
        vote.textContent = symbol;
        vote.setAttribute('aria-label', label);
        vote.setAttribute('aria-pressed', 'false');
        this._votes.set(vote, { id, helpful, question });
        bar.append(vote);
      }
      this._append(bar);
    }

    _vote(button) {
      const bar = button.parentElement;
      for (const vote of bar.querySelectorAll('.vote')) vote.disabled = true;
      button.setAttribute('aria-pressed', 'true');
      const words = bar.querySelector('span');
      words.textContent = TEXT[this._lang].thanks;
      // Optional and best-effort: a lost vote costs the patient nothing, so a failure is not shown.
      fetch(this.api + '/v1/feedback', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(this._votes.get(button)),
        credentials: 'omit',
      }).catch(() => {});
    }

    async _fetch(job) {
      const controller = new AbortController();
      this._controller = controller;
      const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
      try {
        const response = await fetch(this.api + job.path, {
          method: job.body ? 'POST' : 'GET',
          headers: job.body ? { 'content-type': 'application/json' } : {},
          body: job.body ? JSON.stringify(job.body) : undefined,
          credentials: 'omit',
          signal: controller.signal,
        });
        // Any failure (offline, 5xx, still starting, rate-limited) gets the same honest answer: call the office.
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const data = await response.json();
        if (!data || typeof data.answer !== 'string') throw new Error('no answer in the reply');
        return data;
      } finally {
        clearTimeout(timer);
      }
    }

    /**
     * Add one message to the log, each part marked with its language so screen readers pronounce it right.
     * Text only: whatever the server or the patient wrote is never parsed as HTML.
     */
    _say(from, text, kind, lang, preface, prefaceLang) {
      const words = TEXT[this._lang];
      const item = document.createElement('p');
      item.className = `msg from-${from}` + (kind ? ` ${kind}` : '');
      if (kind) item.dataset.kind = kind;
      item.lang = this._lang;
      const who = document.createElement('span');
      who.className = 'visually-hidden';
      who.textContent = from === 'user' ? words.you : words.assistant;
      item.append(who);
      if (kind === 'emergency') {
        const label = document.createElement('strong');
        label.className = 'label';
        label.textContent = words.emergency;
        item.append(label);
      }
      if (preface) {
        const intro = document.createElement('span');
        intro.className = 'preface';
        intro.lang = prefaceLang;
        intro.textContent = preface;
        item.append(intro);
      }
      const body = document.createElement('span');
      body.className = 'text';
      if (lang) body.lang = lang;
      body.textContent = text;
      item.append(body);
      this._append(item);
    }

    _showTyping() {
      const item = document.createElement('p');
      item.className = 'msg from-bot typing';
      const words = document.createElement('span');
      words.className = 'visually-hidden';
      words.textContent = TEXT[this._lang].typing;
      item.append(words);
      for (let i = 0; i < 3; i += 1) {
        const dot = document.createElement('span');
        dot.className = 'dot';
        dot.setAttribute('aria-hidden', 'true');
        item.append(dot);
      }
      this._append(item);
      return item;
    }

    _showError(job) {
      const item = document.createElement('div');
      item.className = 'msg error';
      this._retries.set(item, job);
      const words = document.createElement('span');
      words.textContent = OFFICE[this._lang].unreachable;
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.className = 'retry';
      retry.textContent = TEXT[this._lang].retry;
      item.append(words, retry);
      this._append(item);
    }

    _append(item) {
      this._log.append(item);
      this._log.scrollTop = this._log.scrollHeight;
    }
  }

  window.customElements.define(TAG, ClinicFaqAssistant);

  function mount() {
    if (document.querySelector(TAG)) return; // the page placed one itself, or mounted it already
    const element = document.createElement(TAG);
    element.dataset.api = defaultApi;
    document.body.append(element);
  }

  if (document.body) {
    mount();
  } else {
    document.addEventListener('DOMContentLoaded', mount, { once: true });
  }
})();
