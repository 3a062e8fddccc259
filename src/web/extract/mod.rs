//! Our extractors: [`Ctx`] (who is asking, their CSRF token, this response's nonce) and
//! [`CsrfForm`] (a form body that is accepted only with a valid CSRF token).

pub mod access;
mod client;
mod ctx;
mod form;

pub use client::{client_ip, client_key};
pub use ctx::Ctx;
pub use form::CsrfForm;
