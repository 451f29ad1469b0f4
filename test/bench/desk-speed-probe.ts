/**
 * The desk speed bench's probe INSIDE the page (installed with page.addInitScript on every
 * load), so times are the page's own performance.now(), not Node round trips:
 *
 *  - search: from the keydown in "Search patients" to the first animation frame after the
 *    results for the box's current text are on screen. "On screen" is strict: the table
 *    caption reads `Patients matching “<text>”` AND its rows are the rows the local API
 *    answered for that text (the probe reads each patients.list answer off the wire), or
 *    the empty-result sentence for an empty answer. The caption alone is recorded too, but
 *    it is not enough: the screen keeps the previous rows on show (keepPreviousData) while
 *    the new query runs (the first screen put the new caption over them; the current one
 *    keeps their own caption and marks them aria-busy).
 *  - sign-in: from the click on "Sign in" to the first animation frame after the schedule
 *    section reports itself loaded (`section[aria-labelledby="schedule-heading"][aria-busy="false"]`)
 *    with its heading "Schedule" visible.
 *
 * Self-contained (Playwright serialises the function): no imports, no closures over Node.
 */
export interface KeystrokeTiming {
  text: string;
  /** keydown → the caption names the text (next frame). */
  captionMs: number;
  /** keydown → this text's rows rendered (next frame): the figure. */
  resultsMs: number;
  /** keydown → the patients.list request for the text left the page (over the socket or HTTP). */
  requestMs: number;
  /** keydown → the box's input event (the browser's own share, before any app code runs). */
  inputMs: number;
  /** That request's round trip through the host and the local API (ms). */
  apiMs: number;
}

export interface SignInTiming {
  /** Click on "Sign in" → the schedule loaded and visible (next frame): the figure. */
  totalMs: number;
  /** Click → the local API answered session.signIn (server check or offline unlock, store open). */
  answeredMs: number;
}

export interface DeskProbe {
  /** Resolves when the last keystroke's results are rendered (rejects after timeoutMs). */
  keystrokeDone(timeoutMs: number): Promise<KeystrokeTiming>;
  /** Forgets any earlier sign-in; the NEXT click on "Sign in" starts the clock. */
  armSignIn(): void;
  /** Resolves with the armed sign-in's times (rejects after timeoutMs). */
  signInDone(timeoutMs: number): Promise<SignInTiming>;
}

declare global {
  interface Window {
    __deskProbe?: DeskProbe;
  }
}

export function installDeskProbe(): void {
  const SCHEDULE = 'section[aria-labelledby="schedule-heading"][aria-busy="false"]';
  type Pending = { at: number; inputAt: number | null; text: string | null; captionAt: number | null; framing: boolean; timing: KeystrokeTiming | null; done: ((t: KeystrokeTiming) => void) | null };
  type Answer = { rows: string; requestAt: number; answerAt: number };
  const answers = new Map<string, Answer>();
  const requests = new Map<string, number>();
  let current: Pending | null = null;
  let signInAt: number | null = null;
  let signInAnsweredAt: number | null = null;
  let schedule: { framing: boolean; timing: SignInTiming | null; done: ((timing: SignInTiming) => void) | null } | null = null;

  const searchBox = (target: EventTarget | null): target is HTMLInputElement => target instanceof HTMLInputElement && target.name === 'search' && target.type === 'search';

  /**
   * Reads the local API's calls off the wire, whichever way the page sends them: each call
   * made returns what to do with its answer (`undefined` when it failed). Every
   * patients.list answer is kept by the search text it was for: what the table must show.
   */
  function callMade(path: string, input: unknown): (data: unknown) => void {
    if (path === 'session.signIn') {
      return () => {
        signInAnsweredAt = performance.now();
      };
    }
    if (path !== 'patients.list') return () => undefined;
    const search = typeof input === 'object' && input !== null ? (input as { search?: unknown }).search : undefined;
    const text = (typeof search === 'string' ? search : '').trim();
    const requestAt = performance.now();
    requests.set(text, requestAt);
    return (data) => {
      if (!Array.isArray(data)) return;
      answers.set(text, { rows: (data as { mrn: string }[]).map((row) => row.mrn || '—').join('|'), requestAt, answerAt: performance.now() });
      check();
    };
  }

  // Over HTTP (until the page's WebSocket is open): one call per request, or a batch keyed by position.
  const originalFetch = window.fetch.bind(window);
  window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, window.location.href);
    if (!url.pathname.startsWith('/api/')) return originalFetch(input, init);
    const procedures = url.pathname.slice('/api/'.length).split(',');
    const batched = url.searchParams.get('batch') === '1';
    const rawInput = (url.searchParams.has('input') ? JSON.parse(url.searchParams.get('input')!) : typeof init?.body === 'string' ? JSON.parse(init.body) : {}) as Record<string, unknown>;
    const answered = procedures.map((path, index) => callMade(path, batched ? rawInput[String(index)] : rawInput));
    const response = await originalFetch(input, init);
    void response
      .clone()
      .json()
      .then((body: unknown) => {
        type Reply = { result?: { data?: unknown } };
        answered.forEach((done, index) => done((batched ? (body as Reply[])[index] : (body as Reply))?.result?.data));
      })
      .catch(() => answered.forEach((done) => done(undefined)));
    return response;
  };

  // Over the page's WebSocket to the host (renderer/src/api/socket-bridge.ts): numbered calls and answers.
  type SocketCall = { id?: number; call?: { path?: string; input?: unknown } };
  type SocketAnswer = { id?: number; answer?: { ok?: boolean; data?: unknown } };
  const inFlight = new Map<number, (data: unknown) => void>();
  const frame = <T,>(raw: unknown): T | null => (typeof raw === 'string' ? (JSON.parse(raw) as T) : null);
  const PageSocket = window.WebSocket;
  class ProbedSocket extends PageSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      // Added before the page's own handler: the answer is timed before the page handles it.
      this.addEventListener('message', (event: MessageEvent) => {
        const reply = frame<SocketAnswer>(event.data);
        const done = reply?.id !== undefined ? inFlight.get(reply.id) : undefined;
        if (!reply || !done) return;
        inFlight.delete(reply.id!);
        done(reply.answer?.ok ? reply.answer.data : undefined);
      });
    }
    override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
      const sent = frame<SocketCall>(data);
      if (sent?.id !== undefined) inFlight.set(sent.id, callMade(sent.call?.path ?? '', sent.call?.input));
      super.send(data);
    }
  }
  window.WebSocket = ProbedSocket;

  document.addEventListener(
    'keydown',
    (event) => {
      if (searchBox(event.target)) current = { at: performance.now(), inputAt: null, text: null, captionAt: null, framing: false, timing: null, done: null };
    },
    true,
  );
  document.addEventListener(
    'input',
    (event) => {
      if (searchBox(event.target) && current) {
        current.inputAt ??= performance.now();
        current.text = event.target.value.trim();
        check();
      }
    },
    true,
  );
  document.addEventListener(
    'click',
    (event) => {
      const button = event.target instanceof Element ? event.target.closest('form[aria-label="Sign in"] button[type="submit"]') : null;
      if (button) signInAt = performance.now();
    },
    true,
  );

  function tableRows(): string {
    return [...document.querySelectorAll('table tbody tr')].map((row) => (row as HTMLTableRowElement).cells[4]?.textContent ?? '').join('|');
  }

  function check(): void {
    checkSearch();
    checkSchedule();
  }

  function checkSearch(): void {
    const pending = current;
    if (!pending || pending.text === null || pending.framing) return;
    const caption = document.querySelector('table caption')?.textContent ?? null;
    const captionOk = caption === `Patients matching “${pending.text}”`;
    if (captionOk && pending.captionAt === null) {
      pending.captionAt = -1;
      requestAnimationFrame(() => {
        pending.captionAt = performance.now();
      });
    }
    const answer = answers.get(pending.text);
    if (!answer) return;
    const empty = document.querySelector('p.empty')?.textContent;
    // The empty answer's sentence: naming the text (current screen) or not (the first one).
    const shown = answer.rows === '' ? empty === `No patients match “${pending.text}”.` || empty === 'No patients match this search.' : captionOk && tableRows() === answer.rows;
    if (!shown) return;
    pending.framing = true;
    requestAnimationFrame(() => {
      const resultsAt = performance.now();
      const captionAt = pending.captionAt !== null && pending.captionAt > 0 ? pending.captionAt : resultsAt;
      const text = pending.text ?? '';
      // The request for this text, when this keystroke made one (a repeated text makes none).
      const requestAt = requests.get(text) ?? Number.NaN;
      pending.timing = {
        text,
        captionMs: captionAt - pending.at,
        resultsMs: resultsAt - pending.at,
        requestMs: requestAt >= pending.at ? requestAt - pending.at : Number.NaN,
        inputMs: pending.inputAt !== null ? pending.inputAt - pending.at : Number.NaN,
        apiMs: answer.requestAt >= pending.at ? answer.answerAt - answer.requestAt : Number.NaN,
      };
      pending.done?.(pending.timing);
    });
  }

  function checkSchedule(): void {
    const waiter = schedule;
    if (!waiter || waiter.framing || signInAt === null) return;
    const section = document.querySelector(SCHEDULE);
    const heading = document.getElementById('schedule-heading');
    if (!section || !heading || heading.textContent?.trim() !== 'Schedule' || heading.getClientRects().length === 0) return;
    waiter.framing = true;
    const clickedAt = signInAt;
    requestAnimationFrame(() => {
      waiter.timing = { totalMs: performance.now() - clickedAt, answeredMs: (signInAnsweredAt ?? Number.NaN) - clickedAt };
      waiter.done?.(waiter.timing);
    });
  }

  const start = () => new MutationObserver(check).observe(document.documentElement, { subtree: true, childList: true, characterData: true, attributes: true });
  if (document.documentElement) start();
  else document.addEventListener('DOMContentLoaded', start);

  const timeout = (ms: number, what: string) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`desk probe: ${what} not seen within ${ms} ms`)), ms));

  window.__deskProbe = {
    keystrokeDone(timeoutMs) {
      const pending = current;
      if (!pending) return Promise.reject(new Error('desk probe: no keystroke in the search box yet'));
      if (pending.timing) return Promise.resolve(pending.timing);
      const done = new Promise<KeystrokeTiming>((resolve) => {
        pending.done = resolve;
      });
      check();
      return Promise.race([done, timeout(timeoutMs, `the results for the typed text`)]);
    },
    armSignIn() {
      signInAt = null;
      signInAnsweredAt = null;
      schedule = { framing: false, timing: null, done: null };
    },
    signInDone(timeoutMs) {
      const waiter = schedule;
      if (!waiter) return Promise.reject(new Error('desk probe: sign-in not armed'));
      if (waiter.timing !== null) return Promise.resolve(waiter.timing);
      const done = new Promise<SignInTiming>((resolve) => {
        waiter.done = resolve;
      });
      check();
      return Promise.race([done, timeout(timeoutMs, 'the schedule after sign-in')]);
    },
  };
}
