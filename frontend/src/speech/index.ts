export { MicrophoneButton, type MicrophoneStatus } from "./MicrophoneButton";
export { SpeakerButton } from "./SpeakerButton";
export { SpeechContext } from "./SpeechContext";
export { problemMessage } from "./useSpeechRecognition";
export { stopSpeaking } from "./player";
export { useSpeechSupport } from "./useSpeechSupport";
