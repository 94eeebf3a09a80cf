//! The proc-macro front: `generate_api!` expands a spec into the same modules, here a small
//! Swagger 2.0 one, whose generated server and client then talk to each other.

mod pets {
    specdrift_macro::generate_api!("../../generator/tests/fixtures/swagger2.yaml");
}

use pets::{client, models, server};

struct Shelter;

impl server::Api for Shelter {
    async fn add_pet(
        &self,
        _ctx: server::Context,
        body: models::NewPet,
        limit: Option<i32>,
    ) -> server::AddPetReply {
        server::AddPetReply::Status200(models::Pet {
            name: body.name,
            tag: body.tag,
            id: i64::from(limit.unwrap_or(7)),
            undocumented: Default::default(),
        })
    }
}

#[tokio::test]
async fn the_macro_generated_client_and_server_agree() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, server::router(Shelter)).await });
    let api = client::Client::new(&format!("http://{addr}"), Default::default()).unwrap();
    let new_pet: models::NewPet =
        serde_json::from_value(serde_json::json!({ "name": "Rex", "tag": "dog" })).unwrap();
    let pet = api
        .add_pet(&new_pet, Some(42))
        .await
        .expect("the pet is added")
        .body;
    assert_eq!(
        (pet.name.as_str(), pet.tag.as_deref(), pet.id),
        ("Rex", Some("dog"), 42)
    );
    // The spec's base path stays with the servers the client was generated with.
    assert_eq!(client::SERVERS.len(), 1);
}
