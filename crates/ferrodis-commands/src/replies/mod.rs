//! Typed replies for structured results. (being written)
