//! The wall display's entry point (`display.html`): mounts [`watchfloor::display::App`].

fn main() {
    leptos::mount::mount_to_body(watchfloor::display::App);
}
