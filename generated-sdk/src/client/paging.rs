//! Pagination: a route whose results come a page at a time, and its
//! `.../continue` partner, as one `Stream`.
//!
//! The emitter pairs a route `R` with a route named `R/continue` when (the
//! rule, checked on the spec, not a list of names):
//! - `R/continue` returns the same result type as `R` (so `search:2` pairs
//!   with `search/continue:2`, `file_requests/list:2` with
//!   `list/continue:1`);
//! - that result is a struct with a `cursor` and either a `has_more` flag or
//!   a cursor that is absent on the last page;
//! - `R/continue`'s argument needs nothing but the `cursor`.
//!
//! Such a route gets `{route}_pages` (a stream of whole pages) and, when
//! its result has exactly one list, `{route}_stream` (a stream of that
//! list's entries). Both follow the cursor until the last page.

use super::Error;
pub use futures_core::Stream;
use std::future::Future;

/// The error of a paged call: from the first route or from its `continue`.
#[derive(Debug, Clone, PartialEq)]
pub enum PageError<F, C> {
    First(F),
    Continue(C),
}

/// Every page: the first from `first`, the others from `next(cursor)`,
/// while `cursor_of(page)` gives a cursor. A page that fails ends the
/// stream after its error.
pub fn pages<'a, P, F, C, FirstFut, NextFut>(
    first: FirstFut,
    next: impl Fn(String) -> NextFut + 'a,
    cursor_of: fn(&P) -> Option<String>,
) -> impl Stream<Item = Result<P, Error<PageError<F, C>>>> + 'a
where
    P: 'a,
    F: 'a,
    C: 'a,
    FirstFut: Future<Output = Result<P, Error<F>>> + 'a,
    NextFut: Future<Output = Result<P, Error<C>>> + 'a,
{
    enum State<FirstFut> {
        First(FirstFut),
        Next(String),
        Done,
    }
    futures_util::stream::unfold(State::First(first), move |state| {
        let call = match state {
            State::First(f) => Some(Ok(f)),
            State::Next(cursor) => Some(Err(next(cursor))),
            State::Done => None,
        };
        async move {
            let page = match call? {
                Ok(f) => f.await.map_err(|e| e.map_route(PageError::First)),
                Err(n) => n.await.map_err(|e| e.map_route(PageError::Continue)),
            };
            Some(match page {
                Ok(p) => {
                    let state = cursor_of(&p).map_or(State::Done, State::Next);
                    (Ok(p), state)
                }
                Err(e) => (Err(e), State::Done),
            })
        }
    })
}

/// Every entry of every page.
pub fn entries<'a, P, T, F, C>(
    pages: impl Stream<Item = Result<P, Error<PageError<F, C>>>> + 'a,
    entries_of: fn(P) -> Vec<T>,
) -> impl Stream<Item = Result<T, Error<PageError<F, C>>>> + 'a
where
    P: 'a,
    T: 'a,
    F: 'a,
    C: 'a,
{
    use futures_util::StreamExt;
    pages.flat_map(move |page| {
        let items: Vec<Result<T, Error<PageError<F, C>>>> = match page {
            Ok(p) => entries_of(p).into_iter().map(Ok).collect(),
            Err(e) => vec![Err(e)],
        };
        futures_util::stream::iter(items)
    })
}
