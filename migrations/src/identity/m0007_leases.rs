// Leases on background work that one replica at a time does (the periodic
// reports, the notifications, the portal sync): who holds each, until when.
// No longer used: each service now keeps the leases on its own work in its
// own database (a process without identity runs that work too).
crate::schema::migration!("m0007_leases", |manager| {
    crate::schema::create_leases(manager).await
});
