//! Work spread over every core: the one helper `verify` and redaction share.

/// How many cores there are to spread work over.
pub(crate) fn count() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// `f` over `items` (each with its position) on every core, results in order; an error only
/// when a worker panicked (a bug, named so).
pub(crate) fn map<T: Send, R: Send>(
    mut items: Vec<T>,
    f: impl Fn(usize, T) -> R + Sync,
) -> Result<Vec<R>, String> {
    let part = items.len().div_ceil(count()).max(1);
    let mut chunks = Vec::new();
    while !items.is_empty() {
        let rest = items.split_off(part.min(items.len()));
        chunks.push(std::mem::replace(&mut items, rest));
    }
    std::thread::scope(|scope| {
        let workers: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(c, chunk)| {
                let f = &f;
                scope.spawn(move || {
                    chunk
                        .into_iter()
                        .enumerate()
                        .map(|(n, item)| f(c * part + n, item))
                        .collect::<Vec<R>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for worker in workers {
            out.extend(
                worker
                    .join()
                    .map_err(|_| "a worker thread panicked; this is a specdrift bug".to_string())?,
            );
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_in_order_with_their_positions() {
        let items: Vec<usize> = (0..10_001).collect();
        let out = super::map(items, |n, item| (n, item * 2)).unwrap();
        assert_eq!(out.len(), 10_001);
        assert!(
            out.iter()
                .enumerate()
                .all(|(i, &(n, v))| n == i && v == 2 * i)
        );
        assert!(super::map(Vec::<u8>::new(), |_, x| x).unwrap().is_empty());
    }
}
