//! Printing: transports to Zebra-style printers by URI, the `~HS` status
//! parser, and the print spooler that makes a retry or a double key press
//! print once. The edge: this module does IO.

pub mod spooler;
pub mod status;
pub mod transport;

pub use transport::{PrintError, PrinterUri};
