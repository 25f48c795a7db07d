//! The dashboard's entry point (`index.html`): mounts [`watchfloor::App`] on the page body.

fn main() {
    leptos::mount::mount_to_body(watchfloor::App);
}
