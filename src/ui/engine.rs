//! The page's handle on the analysis engine: a Web Worker (the normal case,
//! so a large paste never blocks the page), or a plain function call (the
//! component tests, which run without the built worker files).
//!
//! Only the newest request of each job matters: while the worker is busy, a
//! new request replaces the one of its job waiting, so typing never queues
//! stale work. A worker that fails is replaced by a fresh one on the next
//! request.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker};
use yew::Callback;

use super::protocol::{Job, READY};

/// Request JSON in, response JSON out.
pub type SyncAnalyzer = fn(&str) -> String;

/// What the engine hands back to the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Response(String),
    Failed(String),
}

/// Where Trunk puts the worker's loader (named after the bin, not hashed).
/// The single-file build sets `window.ERR521_WORKER_URL` to a blob URL.
const WORKER_URL: &str = "./err521-worker_loader.js";

pub struct Engine {
    shared: Rc<Shared>,
    sync: Option<SyncAnalyzer>,
}

struct Shared {
    started: Cell<bool>,
    worker: RefCell<Option<Worker>>,
    ready: Cell<bool>,
    busy: Cell<bool>,
    /// The newest request waiting, per job: an analysis goes first.
    analysis: RefCell<Option<String>>,
    share: RefCell<Option<String>>,
    on_answer: Callback<Answer>,
}

impl PartialEq for Engine {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared)
    }
}

impl Engine {
    pub fn new(sync: Option<SyncAnalyzer>, on_answer: Callback<Answer>) -> Engine {
        let shared = Rc::new(Shared {
            started: Cell::new(false),
            worker: RefCell::new(None),
            ready: Cell::new(false),
            busy: Cell::new(false),
            analysis: RefCell::new(None),
            share: RefCell::new(None),
            on_answer,
        });
        Engine { shared, sync }
    }

    /// Start the worker now if it has not started: the page calls this when
    /// the person turns to an input, so its download (a second wasm file)
    /// is not part of the first load yet done before the first analysis.
    pub fn warm_up(&self) {
        if self.sync.is_none() && !self.shared.started.replace(true) {
            start_worker(&self.shared);
        }
    }

    /// Hand `request_json` (a [`super::protocol::Request`] of `job`) to the
    /// engine.
    pub fn submit(&self, job: Job, request_json: String) {
        if let Some(analyze) = self.sync {
            self.shared
                .on_answer
                .emit(Answer::Response(analyze(&request_json)));
            return;
        }
        let slot = match job {
            Job::Analyze => &self.shared.analysis,
            Job::Share => &self.shared.share,
        };
        *slot.borrow_mut() = Some(request_json);
        self.warm_up();
        self.shared.send_next();
    }

    pub fn is_sync(&self) -> bool {
        self.sync.is_some()
    }
}

impl Shared {
    fn send_next(&self) {
        if !self.ready.get() || self.busy.get() {
            return;
        }
        let next = self.analysis.borrow_mut().take();
        let Some(message) = next.or_else(|| self.share.borrow_mut().take()) else {
            return;
        };
        let posted = self
            .worker
            .borrow()
            .as_ref()
            .map(|w| w.post_message(&JsValue::from_str(&message)));
        match posted {
            Some(Ok(())) => self.busy.set(true),
            _ => self.on_answer.emit(Answer::Failed(
                "The analysis engine stopped; reload the page.".into(),
            )),
        }
    }
}

fn worker_url() -> String {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &JsValue::from_str("ERR521_WORKER_URL")).ok())
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| WORKER_URL.to_string())
}

fn start_worker(shared: &Rc<Shared>) {
    let worker = match Worker::new(&worker_url()) {
        Ok(w) => w,
        Err(_) => {
            shared.on_answer.emit(Answer::Failed(
                "This browser did not start the analysis engine (a Web Worker).".into(),
            ));
            return;
        }
    };
    let on_message = {
        let shared = shared.clone();
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else {
                return;
            };
            if text == READY {
                shared.ready.set(true);
            } else {
                shared.busy.set(false);
                shared.on_answer.emit(Answer::Response(text));
            }
            shared.send_next();
        })
    };
    let on_error = {
        let shared = shared.clone();
        Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            // A trapped worker may hold broken state: the next request
            // starts a fresh one.
            if let Some(w) = shared.worker.borrow_mut().take() {
                w.terminate();
            }
            shared.started.set(false);
            shared.ready.set(false);
            shared.busy.set(false);
            let detail = e.message();
            shared.on_answer.emit(Answer::Failed(if detail.is_empty() {
                "The analysis engine failed to load. Reload the page; if you opened it from disk, use the single-file build.".into()
            } else {
                format!("The analysis engine failed: {detail}")
            }));
        })
    };
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // Both handlers live as long as the page.
    on_message.forget();
    on_error.forget();
    *shared.worker.borrow_mut() = Some(worker);
}
