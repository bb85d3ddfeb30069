export { ExampleQuestions, type ExampleQuestionsProps } from "./ExampleQuestions";
