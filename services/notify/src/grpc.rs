//! The tonic adapter of `eiso.notify.v1.NotificationService`.

use eiso_proto::eiso::notify::v1::notification_service_server::NotificationService;
use eiso_proto::eiso::notify::v1::*;

use crate::service::Notifications;

eiso_platform::grpc_service! {
    /// `eiso.notify.v1.NotificationService`.
    pub struct NotificationApi(notifications: Notifications);

    impl NotificationService for NotificationApi {
        rpc list_notifications(ListNotificationsRequest) -> ListNotificationsResponse => call list_notifications;
        rpc resend_notifications(ResendNotificationsRequest) -> ResendNotificationsResponse => call resend_notifications;
    }
}
