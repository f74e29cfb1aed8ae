//! The store traits, one per feature, each declared through [`store_trait!`] so that the
//! trait, the list of its methods and the recording wrapper's forwarding impl cannot disagree.

/// Declares a feature's store trait: emits the `#[async_trait]` trait (methods and docs as
/// written, default bodies included), `<dyn Trait>::METHODS` (every method's name, in order)
/// and, with the `testing` feature, the forwarding impl for `Recorded`.
macro_rules! store_trait {
    ($(#[$tm:meta])* pub trait $name:ident { $($body:tt)* }) => {
        store_trait!(@munch [$(#[$tm])* $name] [] $($body)*);
    };
    // A required method.
    (@munch $head:tt [$($done:tt)*]
        $(#[$m:meta])*
        async fn $method:ident(&$slf:ident $(, $arg:ident: $argty:ty)* $(,)?) -> $ret:ty;
        $($rest:tt)*
    ) => {
        store_trait!(@munch $head [$($done)*
            [[$(#[$m])*] $method $slf [$($arg: $argty),*] [$ret] [;]]] $($rest)*);
    };
    // A method with a default body.
    (@munch $head:tt [$($done:tt)*]
        $(#[$m:meta])*
        async fn $method:ident(&$slf:ident $(, $arg:ident: $argty:ty)* $(,)?) -> $ret:ty
        $default:block
        $($rest:tt)*
    ) => {
        store_trait!(@munch $head [$($done)*
            [[$(#[$m])*] $method $slf [$($arg: $argty),*] [$ret] [$default]]] $($rest)*);
    };
    (@munch [$(#[$tm:meta])* $name:ident] [$(
        [[$(#[$m:meta])*] $method:ident $slf:ident [$($arg:ident: $argty:ty),*] [$ret:ty]
         [$($tail:tt)*]]
    )*]) => {
        $(#[$tm])*
        #[async_trait::async_trait]
        pub trait $name: Send + Sync + 'static {
            $( $(#[$m])* async fn $method(&$slf $(, $arg: $argty)*) -> $ret $($tail)* )*
        }

        impl dyn $name {
            /// The names of this trait's methods, as declared.
            pub const METHODS: &'static [&'static str] = &[$(stringify!($method)),*];
        }

        #[cfg(feature = "testing")]
        #[async_trait::async_trait]
        impl<S: $name> $name for $crate::Recorded<S> {
            $(
                async fn $method(&self $(, $arg: $argty)*) -> $ret {
                    self.record(stringify!($method));
                    self.inner().$method($($arg),*).await
                }
            )*
        }
    };
}

mod access;
mod closed_loop;
mod customers;
mod interactions;
mod jobs;
mod merges;
mod responses;
mod retention;
mod settings;
mod surveys;

pub use access::AccessStore;
pub use closed_loop::{CaseStore, LoopConfigStore, TeamStore};
pub use customers::CustomerStore;
pub use interactions::InteractionStore;
pub use jobs::{JobStore, OutboxStore};
pub use merges::MergeStore;
pub use responses::{FeedStore, ResponseStore, ScoreStore, TextStore};
pub use retention::{RetentionStore, SnapshotStore};
pub use settings::SettingsStore;
pub use surveys::SurveyStore;

/// Declares [`Store`] as the sum of the feature traits, with the blanket impl that makes every
/// type implementing them all a `Store`: the list is written once.
macro_rules! umbrella {
    ($($feature:ident),+ $(,)?) => {
        /// Every feature's store: what handlers and jobs hold as `Arc<dyn Store>`. Call a
        /// method with its feature trait in scope (`use attune_storage::prelude::*;`).
        pub trait Store: $($feature +)+ {}

        impl<T> Store for T where T: $($feature +)+ ?Sized {}
    };
}

umbrella!(
    SettingsStore,
    AccessStore,
    CustomerStore,
    InteractionStore,
    MergeStore,
    SurveyStore,
    ResponseStore,
    FeedStore,
    TextStore,
    ScoreStore,
    LoopConfigStore,
    TeamStore,
    CaseStore,
    JobStore,
    OutboxStore,
    RetentionStore,
    SnapshotStore,
);
