//! Running independent per-file jobs on several threads while handing the
//! results on in input order.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::sync::mpsc;

use rayon::prelude::*;

/// Runs `work` on every item on a pool of `jobs` threads (rayon's default,
/// one per core, when `None`) and calls `emit` on the calling thread with
/// each result in input order, as soon as all earlier results are in.
///
/// # Errors
/// When the thread pool cannot be created.
pub fn for_each_ordered<T, R>(
    items: &[T],
    jobs: Option<NonZeroUsize>,
    work: impl Fn(&T) -> R + Sync,
    mut emit: impl FnMut(&T, R),
) -> Result<(), rayon::ThreadPoolBuildError>
where
    T: Sync,
    R: Send,
{
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(jobs) = jobs {
        builder = builder.num_threads(jobs.get());
    }
    let pool = builder.build()?;
    let (sender, receiver) = mpsc::channel();

    std::thread::scope(|scope| {
        let work = &work;
        scope.spawn(move || {
            pool.install(|| {
                items
                    .par_iter()
                    .enumerate()
                    .for_each_with(sender, |sender, (index, item)| {
                        // The receiver lives until every sender is gone.
                        let _ = sender.send((index, work(item)));
                    });
            });
        });

        // Results that arrived before some earlier one, by input index.
        let mut pending = BTreeMap::new();
        let mut next_index = 0;
        for (index, result) in receiver {
            pending.insert(index, result);
            while let Some(result) = pending.remove(&next_index) {
                emit(&items[next_index], result);
                next_index += 1;
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn results_come_out_in_input_order() {
        // Earlier items take longer, so they finish last.
        let items: Vec<u64> = (0..8).collect();
        let mut seen = Vec::new();
        for_each_ordered(
            &items,
            NonZeroUsize::new(4),
            |&item| {
                std::thread::sleep(Duration::from_millis(5 * (8 - item)));
                item * 10
            },
            |&item, result| seen.push((item, result)),
        )
        .unwrap();
        let expected: Vec<(u64, u64)> = items.iter().map(|&i| (i, i * 10)).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn no_items_is_fine() {
        let items: Vec<u32> = Vec::new();
        let mut calls = 0;
        for_each_ordered(&items, None, |&i| i, |_, _| calls += 1).unwrap();
        assert_eq!(calls, 0);
    }
}
