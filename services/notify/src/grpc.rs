//! The tonic adapter of `eiso.notify.v1.NotificationService`.

use eiso_proto::eiso::notify::v1::notification_service_server::NotificationService;
use eiso_proto::eiso::notify::v1::*;

use crate::service::Notifications;

#[derive(Clone)]
pub struct NotificationApi {
    notifications: Notifications,
}

impl NotificationApi {
    pub fn new(notifications: Notifications) -> Self {
        Self { notifications }
    }
}

eiso_platform::grpc_service! {
    impl NotificationService for NotificationApi via self.notifications {
        rpc list_notifications(ListNotificationsRequest) -> ListNotificationsResponse => call list_notifications;
        rpc resend_notifications(ResendNotificationsRequest) -> ResendNotificationsResponse => call resend_notifications;
    }
}
