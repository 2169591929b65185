//! `tote warehouse`: list the warehouses, set where one ships from.

use anyhow::Result;
use tote::app::command::AddressDto;
use tote::app::{Command, Services};

#[derive(Debug, clap::Subcommand)]
pub enum WarehouseCmd {
    /// The warehouses with their ship-from addresses.
    List,
    /// Set where a warehouse's parcels ship from: printed on every label's
    /// sender block and sent to the carrier.
    Address {
        /// The warehouse's code.
        code: String,
        #[command(flatten)]
        address: AddressArgs,
    },
}

/// A postal address as flags (an order's ship-to, a warehouse's ship-from).
#[derive(Debug, clap::Args)]
pub struct AddressArgs {
    #[arg(long)]
    pub contact_name: String,
    #[arg(long)]
    pub street: String,
    #[arg(long)]
    pub city: String,
    #[arg(long, default_value = "")]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2, e.g. RS.
    #[arg(long)]
    pub country: String,
    #[arg(long, default_value = "")]
    pub phone: String,
}

impl From<AddressArgs> for AddressDto {
    fn from(a: AddressArgs) -> Self {
        AddressDto {
            contact_name: a.contact_name,
            street: a.street,
            city: a.city,
            postal_code: a.postal_code,
            country: a.country,
            phone: a.phone,
        }
    }
}

pub fn run(svc: &Services, cmd: WarehouseCmd) -> Result<()> {
    match cmd {
        WarehouseCmd::List => {
            for w in svc.store().read(|tx| tx.warehouses())? {
                let from = match &w.address {
                    Some(a) => format!("{}, {}, {} {}, {}", a.contact_name, a.street, a.postal_code, a.city, a.country),
                    None => "no ship-from address (tote warehouse address)".into(),
                };
                println!("{}\t{}\t{from}", w.code, w.name);
            }
            Ok(())
        }
        WarehouseCmd::Address { code, address } => {
            let c = Command::SetWarehouseAddress { warehouse: code.clone(), address: address.into() };
            svc.execute(&tote::app::new_op_id(), &c).map_err(super::order::explain)?;
            println!("{code} ships from the new address");
            Ok(())
        }
    }
}
