//! Hot reload and `scout watch`: the reload logic on synthetic events, ranking changes, and
//! the real watcher end to end.

mod changes;
mod reload;
