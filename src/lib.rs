//! The shipgate host: pulls orders from marketplaces, normalizes them, routes them to
//! carriers and pushes tracking back, with every step a job on a queue.

pub mod queue;
