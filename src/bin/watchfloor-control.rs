//! The control console's entry point (`control.html`): mounts [`watchfloor::control::App`].

fn main() {
    leptos::mount::mount_to_body(watchfloor::control::App);
}
