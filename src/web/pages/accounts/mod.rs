//! Pages of accounts: registration, login and logout (`services::accounts::sign_in`), and a
//! pupil's sign-in with a class code (`class_sign_in`).

pub mod class_sign_in;
pub mod sign_in;
