//! attune-web
