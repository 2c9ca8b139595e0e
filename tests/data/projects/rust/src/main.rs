fn main() {
    println!("widget");
}
