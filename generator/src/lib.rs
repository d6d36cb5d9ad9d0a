//! The Stone compiler front end: text -> AST -> IR.
//!
//! Stone is the interface language Dropbox describes its API v2 in. This
//! crate accepts exactly what Dropbox's own `stone` 3.5.5 accepts, builds the
//! same intermediate representation, and reports every error at the file and
//! line Stone reports it, with a message that names what is wrong.

pub mod ast;
pub mod diagnostics;
pub mod ir;
pub mod load;
pub mod parser;
pub mod pyfmt;
pub mod pyjson;
pub mod pyregex;
pub mod pytime;
pub mod source;
pub mod summary;

pub use load::{compile, load_spec_set};
