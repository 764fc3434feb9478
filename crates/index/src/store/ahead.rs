//! Producing items on a thread of their own, a few ahead of their consumer.

use std::sync::mpsc::{Receiver, sync_channel};

/// Runs `consume` over the items of `items`, produced on a scoped thread of their own and
/// at most `depth` ahead: producing the next item (decoding a record batch, or gathering
/// one from all over the state) and consuming this one (restoring it, or encoding it)
/// then use two cores.
///
/// A consumer that stops early drops its end of the channel, which stops the producer at
/// its next item; nothing is left running or blocked when this returns.
pub(crate) fn produced_ahead<T: Send, R>(
    items: impl Iterator<Item = T> + Send,
    depth: usize,
    consume: impl FnOnce(Receiver<T>) -> R,
) -> R {
    std::thread::scope(|scope| {
        let (sender, receiver) = sync_channel(depth);
        scope.spawn(move || {
            for item in items {
                if sender.send(item).is_err() {
                    break;
                }
            }
        });
        consume(receiver)
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn every_item_arrives_in_order() {
        let got: Vec<u32> = produced_ahead(0..1000u32, 2, |items| items.into_iter().collect());
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
    }

    /// A consumer that stops after a few items stops the producer too: it neither hangs
    /// nor produces the rest.
    #[test]
    fn a_consumer_that_stops_stops_the_producer() {
        let produced = AtomicUsize::new(0);
        let items = (0..1_000_000u32).inspect(|_| {
            produced.fetch_add(1, Ordering::Relaxed);
        });
        let first = produced_ahead(items, 2, |items| items.iter().take(3).collect::<Vec<_>>());
        assert_eq!(first, [0, 1, 2]);
        assert!(produced.load(Ordering::Relaxed) < 10);
    }
}
