//! Accounts: registration, login, passwords, sessions and staff accounts, and pupils' sign-in
//! with a class code on a shared device (`class_sign_in`). Rate limits and
//! the password-hashing bound they run under are shared pieces ([`super::shared::limits`]).

pub mod class_sign_in;
pub mod sign_in;
