//! Splitting a sweep over accounts across the machine's cores with scoped threads.

use std::ops::Range;

/// Below this many accounts a sweep is faster on one thread than the cost of spawning more.
const MIN_PARALLEL: usize = 50_000;

/// Runs `f` over consecutive chunks of `0..n` in parallel and returns the results in order.
///
/// Results are merged by the caller in chunk order; the sweeps sum integers only, so the answer
/// does not depend on how many threads ran.
pub(crate) fn map_chunks<T: Send>(n: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map(|t| t.get())
        .unwrap_or(1)
        .min(16);
    if threads <= 1 || n < MIN_PARALLEL {
        return vec![f(0..n)];
    }
    let chunk = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let range = (i * chunk).min(n)..((i + 1) * chunk).min(n);
                scope.spawn(move || f(range))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}
