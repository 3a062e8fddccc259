//! /tin-tuc: news for readers (`reading`: the list, an item, its picture, the Atom feed) and
//! for the officers who publish it (`desk`).

pub mod desk;
pub mod reading;
