//! One module per subcommand: its flags (`Args`) and its `run`.

pub mod explain;
