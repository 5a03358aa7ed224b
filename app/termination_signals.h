#pragma once
// SIGTERM (logout, `kill`, a service manager) and SIGINT (Ctrl+C in the terminal) close the window the
// way its close button does, so settings and the session are saved and the exit is marked clean, instead
// of the process dying on the spot.
class QWidget;

void closeOnTerminationSignals(QWidget* window);
