//! HTTP: one route table ([`router`]), our extractors ([`extract`]), one error type
//! ([`error`]), one response helper ([`page`]) and the pages, one module per feature.

pub mod cookies;
pub mod error;
pub mod extract;
pub mod page;
pub mod pages;
pub mod router;
pub mod serve;

pub use router::app;
