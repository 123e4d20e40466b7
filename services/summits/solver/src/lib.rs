//! The summit scheduler: places sessions in rooms and slots so attendees lose as few wishes as possible.
