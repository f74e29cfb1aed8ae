//! A store that remembers which methods were called, so the conformance story can prove it
//! exercised every method of every feature trait (the list comes from the traits themselves).

use std::collections::BTreeSet;
use std::sync::Mutex;

/// Forwards every store method to the inner store and records its name.
#[derive(Debug, Default)]
pub struct Recorded<S> {
    inner: S,
    called: Mutex<BTreeSet<&'static str>>,
}

impl<S> Recorded<S> {
    /// Wraps a store; nothing is recorded yet.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            called: Mutex::new(BTreeSet::new()),
        }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    pub(crate) fn record(&self, method: &'static str) {
        self.called
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(method);
    }

    /// The methods called so far, by name.
    pub fn called(&self) -> BTreeSet<&'static str> {
        self.called
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Which of `methods` (a trait's `METHODS`) were never called, in declaration order.
    pub fn not_called(&self, methods: &[&'static str]) -> Vec<&'static str> {
        let called = self.called();
        methods
            .iter()
            .copied()
            .filter(|m| !called.contains(m))
            .collect()
    }

    /// Panics, naming them, when some of `methods` (a trait's `METHODS`) were never called.
    #[track_caller]
    pub fn assert_all_called(&self, trait_name: &str, methods: &[&'static str]) {
        let missing = self.not_called(methods);
        assert!(
            missing.is_empty(),
            "{trait_name}: not exercised by the conformance story: {}",
            missing.join(", ")
        );
    }
}
