use clap::Parser;
use emulator::{local, Config};
use shared::AppKind;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The Serverlesspresso backend on this machine.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address to listen on (loopback by default).
    #[arg(long, default_value_t = SocketAddr::from(([127, 0, 0, 1], local::DEFAULT_PORT)))]
    listen: SocketAddr,
    /// Serve the built apps from DIR/{order,barista,display}/dist.
    #[arg(long, value_name = "DIR")]
    apps: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let running = emulator::start(Config {
        listen: args.listen,
        apps_dir: args.apps.clone(),
    })
    .await?;
    let base = running.base_url();
    let settings = local::settings(&base);
    println!("Serverlesspresso emulator listening on {base}");
    if args.apps.is_some() {
        println!("\nDisplay board (open this first; its settings are in the link):");
        println!("  {base}/display/?{}", settings.to_query(AppKind::Display));
        println!(
            "Barista console:  {base}/barista/?{}",
            settings.to_query(AppKind::Barista)
        );
        println!(
            "Order app:        {base}/order/?{}",
            settings.to_query(AppKind::Order)
        );
    }
    println!("\nPress Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    running.stop().await
}
