//! One computation for requests that ask the same thing at the same moment.
//!
//! When eight officials open the province dashboard at once, each would read and sum the same
//! province-wide rows. Here the first request for a key computes it; requests for the same key
//! that arrive *while that computation runs* wait for it and share its result; the next
//! request after it finished computes afresh. Nothing is kept: a shared result was read after
//! the waiting request's own start minus one computation's time (milliseconds), so a pass is
//! still on the next page at once and DESIGN §7's "fresh within 1 s" holds. If the computing
//! request is dropped (its client went away) or fails, a waiter computes instead.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

type Slot<V> = Arc<OnceCell<Arc<V>>>;

/// Computations in flight, by key (each entry lives only while its computation runs).
pub struct Coalesce<K, V> {
    in_flight: Mutex<HashMap<K, Slot<V>>>,
}

impl<K: Eq + Hash + Clone, V> Default for Coalesce<K, V> {
    fn default() -> Self {
        Coalesce {
            in_flight: Mutex::new(HashMap::new()),
        }
    }
}

/// Takes the first request's entry out of the map when it ends, however it ends (finished,
/// failed or dropped), so that no finished result is handed to a later request.
struct Leader<'a, K: Eq + Hash, V> {
    map: &'a Mutex<HashMap<K, Slot<V>>>,
    key: K,
    slot: Slot<V>,
}

impl<K: Eq + Hash, V> Drop for Leader<'_, K, V> {
    fn drop(&mut self) {
        let mut map = match self.map.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        if map
            .get(&self.key)
            .is_some_and(|s| Arc::ptr_eq(s, &self.slot))
        {
            map.remove(&self.key);
        }
    }
}

impl<K: Eq + Hash + Clone, V> Coalesce<K, V> {
    /// `load()`'s result for `key`, or the result of the same computation already running.
    pub async fn run<E, F, Fut>(&self, key: K, load: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let (slot, _leader) = {
            let mut map = match self.in_flight.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            match map.get(&key) {
                Some(slot) => (slot.clone(), None),
                None => {
                    let slot: Slot<V> = Arc::new(OnceCell::new());
                    map.insert(key.clone(), slot.clone());
                    let leader = Leader {
                        map: &self.in_flight,
                        key,
                        slot: slot.clone(),
                    };
                    (slot, Some(leader))
                }
            }
        };
        slot.get_or_try_init(|| async { load().await.map(Arc::new) })
            .await
            .map(Arc::clone)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn requests_at_the_same_moment_share_one_computation_and_later_ones_compute_again() {
        let c: Arc<Coalesce<i32, usize>> = Arc::new(Coalesce::default());
        let runs = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Notify::new());
        let load = |runs: Arc<AtomicUsize>, gate: Arc<tokio::sync::Notify>| async move {
            gate.notified().await;
            Ok::<usize, ()>(runs.fetch_add(1, Ordering::SeqCst) + 1)
        };
        let first = tokio::spawn({
            let (c, runs, gate) = (c.clone(), runs.clone(), gate.clone());
            async move { c.run(1, || load(runs, gate)).await }
        });
        tokio::task::yield_now().await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        let second = tokio::spawn({
            let (c, runs, gate) = (c.clone(), runs.clone(), gate.clone());
            async move { c.run(1, || load(runs, gate)).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        gate.notify_waiters();
        let (Ok(Ok(a)), Ok(Ok(b))) = (first.await, second.await) else {
            panic!("both requests get a result");
        };
        assert_eq!((*a, *b), (1, 1), "one computation, shared");
        assert_eq!(runs.load(Ordering::SeqCst), 1);

        // After it finished, the same key is computed again (nothing is kept).
        let third = c
            .run(1, || async {
                Ok::<usize, ()>(runs.fetch_add(1, Ordering::SeqCst) + 1)
            })
            .await;
        assert_eq!(third.map(|v| *v), Ok(2));
        assert!(c.in_flight.lock().is_ok_and(|m| m.is_empty()));
    }

    #[tokio::test]
    async fn a_dropped_or_failed_first_request_leaves_nothing_behind() {
        let c: Coalesce<i32, usize> = Coalesce::default();
        // Dropped while computing (the client went away).
        let pending = c.run(7, std::future::pending::<Result<usize, ()>>);
        let timed_out = tokio::time::timeout(std::time::Duration::from_millis(10), pending).await;
        assert!(timed_out.is_err());
        assert!(c.in_flight.lock().is_ok_and(|m| m.is_empty()));
        // Failed: the error is this request's; the next one computes.
        assert_eq!(
            c.run(7, || async { Err::<usize, &str>("no") }).await,
            Err("no")
        );
        assert_eq!(
            c.run(7, || async { Ok::<usize, &str>(5) })
                .await
                .map(|v| *v),
            Ok(5)
        );
    }
}
