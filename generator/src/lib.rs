//! The Stone compiler front end: text -> AST -> IR.
//!
//! Stone is the interface language Dropbox describes its API v2 in. This
//! crate accepts exactly what Dropbox's own `stone` 3.5.5 accepts, builds the
//! same intermediate representation, and reports every error at the file and
//! line Stone reports it, with a message that names what is wrong.
//!
//! ```
//! use stone::source::SourceFile;
//!
//! let spec = SourceFile::new(
//!     "files.stone",
//!     "namespace files\n\nstruct Metadata\n    name String\n        \"The last component of the path.\"\n",
//! );
//! let api = stone::compile(&[spec]).expect("a valid spec");
//! let files = &api.namespaces["files"];
//! let metadata = api.struct_(files.structs[0]);
//! assert_eq!(metadata.fields[0].name, "name");
//!
//! // A bad spec: every error, each with its file, line and column.
//! let bad = SourceFile::new("bad.stone", "namespace bad\n\nstruct S\n    f Strin\n");
//! let errors = stone::compile(std::slice::from_ref(&bad)).unwrap_err();
//! assert_eq!(errors.first.message, "Symbol 'Strin' is undefined.");
//! assert!(errors.render(&[bad]).starts_with("bad.stone:4:7: Symbol 'Strin' is undefined."));
//! ```

// pest is used without its `std` feature (no stack probe on every rule
// call; the lexer bounds nesting instead), and its generated parser names
// the `alloc` crate from the crate root.
extern crate alloc;

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
mod threads;

pub use load::{check_with, compile, compile_with, load_spec_set};
pub mod diff;
pub mod emit;
