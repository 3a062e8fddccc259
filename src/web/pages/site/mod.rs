//! The site itself: the home page and the health check.

pub mod health;
pub mod home;
