//! Serves the directory alone (the `commonground` binary serves every service in one process).

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    shared::server::run_service("127.0.0.1:8081", directory::service).await
}
