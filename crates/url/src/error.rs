use thiserror::Error;

/// Why a string could not be turned into a stored URL or a target.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UrlError {
    /// The text is not a URL the WHATWG parser accepts (no host, bad port, bad IDNA, ...).
    #[error("not a valid URL: {0}")]
    Invalid(String),
    /// A scheme other than `http` or `https`; hrefdex indexes the web only.
    #[error("unsupported scheme '{0}' (only http and https are indexed)")]
    UnsupportedScheme(String),
    /// The URL is longer than [`crate::NormalUrl::MAX_LEN`] bytes once normalised.
    #[error("URL longer than {max} bytes")]
    TooLong {
        /// The limit that was exceeded.
        max: usize,
    },
}
