//! Accounts: registration, login, passwords, sessions and staff accounts. Rate limits and
//! the password-hashing bound they run under are shared pieces ([`super::shared::limits`]).

pub mod sign_in;
